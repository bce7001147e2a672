import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertCharger, updateCharger } from '../../main/store/queries/chargers.js';
import { insertIdTag } from '../../main/store/queries/id-tags.js';
import { createReservation } from '../../main/store/queries/reservations.js';
import { cpid, iso, row, rows, startTestApp, type TestApp, type TestCharger, waitFor } from './support.js';
import { boot201, connect201, connectBooted201, energyReading } from './v201-support.js';

/** Sends a call expected to be refused and returns its CALLERROR code. */
async function refused(cp: TestCharger, action: string, payload: unknown): Promise<string> {
  const f = await cp.callRaw(action, payload);
  assert.equal(f[0], 4, `${action} ${JSON.stringify(payload)} must be refused, got ${JSON.stringify(f)}`);
  return f[2] as string;
}

describe('issue 14: every OCPP 2.0.1 station -> controller message on a real socket, valid and invalid', () => {
  let app: TestApp;
  let cp: TestCharger;
  let id: string;
  before(async () => {
    app = await startTestApp();
    id = cpid('MSG201');
    cp = await connectBooted201(app, id);
  });
  after(async () => {
    await cp.close();
    await app.dispose();
  });
  const charger = async () => (await (await app.api(`/api/charger/${encodeURIComponent(id)}`)).json()) as Record<string, any>;

  test('BootNotification: Accepted with the heartbeat interval, the station recorded; missing chargingStation -> OccurrenceConstraintViolation, unknown reason -> PropertyConstraintViolation', async () => {
    const c = await charger();
    assert.equal(c.vendor, 'Alfen');
    assert.equal(c.model, 'Eve Double Pro');
    assert.equal(c.serialNumber, 'ACE0123');
    assert.equal(c.firmwareVersion, '6.4.0');
    assert.equal(c.bootStatus, 'Accepted');
    assert.equal(await refused(cp, 'BootNotification', { reason: 'PowerUp' }), 'OccurrenceConstraintViolation');
    assert.equal(await refused(cp, 'BootNotification', { reason: 'Sunrise', chargingStation: { model: 'M', vendorName: 'V' } }), 'PropertyConstraintViolation');
  });

  test('Heartbeat: currentTime; an unknown field -> FormatViolation (OCPP-J 2.0.1, was FormationViolation in 1.6)', async () => {
    const r = await cp.call('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(r.currentTime) - Date.now()) < 60_000);
    assert.equal(await refused(cp, 'Heartbeat', { beat: 1 }), 'FormatViolation');
  });

  test('StatusNotification: each connector of an EVSE kept, the EVSE shown in the connector list; evseId 0 or a 1.6 status -> PropertyConstraintViolation', async () => {
    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Occupied', evseId: 1, connectorId: 2 });
    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Faulted', evseId: 2, connectorId: 1 });
    const c = await charger();
    assert.deepEqual(
      c.evses.map((e: any) => [e.evseId, e.connectors.map((x: any) => `${x.connectorId}:${x.status}`)]),
      [
        [1, ['1:Available', '2:Occupied']],
        [2, ['1:Faulted']],
      ],
    );
    assert.deepEqual(
      c.connectors.map((x: any) => `${x.connectorId}:${x.status}:${x.errorCode}`),
      ['1:Preparing:NoError', '2:Faulted:OtherError'],
      'an EVSE with a connector occupied and no transaction is Preparing',
    );
    assert.equal(await refused(cp, 'StatusNotification', { timestamp: iso(), connectorStatus: 'Available', evseId: 0, connectorId: 1 }), 'PropertyConstraintViolation');
    assert.equal(await refused(cp, 'StatusNotification', { timestamp: iso(), connectorStatus: 'Charging', evseId: 1, connectorId: 1 }), 'PropertyConstraintViolation');
    assert.equal(await refused(cp, 'StatusNotification', { timestamp: iso(), connectorStatus: 'Available', evseId: '1', connectorId: 1 }), 'TypeConstraintViolation');
  });

  test('Authorize: ISO14443, ISO15693, Central, eMAID and KeyCode tokens checked against the same RFID list; parent tag -> groupIdToken; unknown type -> PropertyConstraintViolation', async () => {
    insertIdTag(app.db, { tagId: 'GROUP-A' });
    const tokens = { ISO14443: '04A2B3C4D5E680', ISO15693: 'E004010012345678', Central: 'central-token-1', eMAID: 'NL-TNM-C00122045-K', KeyCode: '123456' };
    for (const [type, token] of Object.entries(tokens)) {
      insertIdTag(app.db, { tagId: token, parentIdTag: 'GROUP-A', validUntil: '2099-01-01T00:00:00.000Z' });
      const r = await cp.call('Authorize', { idToken: { idToken: token, type } });
      assert.deepEqual(r.idTokenInfo, { status: 'Accepted', cacheExpiryDateTime: '2099-01-01T00:00:00.000Z', groupIdToken: { idToken: 'GROUP-A', type: 'Central' } }, type);
    }
    // ISO14443 UIDs are matched ignoring case, as 1.6 idTags are.
    assert.equal((await cp.call('Authorize', { idToken: { idToken: '04a2b3c4d5e680', type: 'ISO14443' } })).idTokenInfo.status, 'Accepted');
    insertIdTag(app.db, { tagId: 'BLOCKED-1', status: 'Blocked' });
    assert.equal((await cp.call('Authorize', { idToken: { idToken: 'BLOCKED-1', type: 'ISO14443' } })).idTokenInfo.status, 'Blocked');
    assert.equal((await cp.call('Authorize', { idToken: { idToken: 'NOBODY', type: 'ISO14443' } })).idTokenInfo.status, 'Invalid');
    assert.equal(await refused(cp, 'Authorize', { idToken: { idToken: 'X', type: 'Magstripe' } }), 'PropertyConstraintViolation');
    assert.equal(await refused(cp, 'Authorize', { idToken: { idToken: 12345, type: 'ISO14443' } }), 'TypeConstraintViolation');
    assert.equal(await refused(cp, 'Authorize', {}), 'OccurrenceConstraintViolation');
  });

  test('TransactionEvent: a transactionId over 36 characters -> PropertyConstraintViolation, no seqNo -> OccurrenceConstraintViolation, an unknown eventType -> PropertyConstraintViolation', async () => {
    const base = { eventType: 'Started', timestamp: iso(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'tx-1' } };
    assert.equal(await refused(cp, 'TransactionEvent', { ...base, transactionInfo: { transactionId: 'x'.repeat(37) } }), 'PropertyConstraintViolation');
    const { seqNo: _s, ...noSeq } = base;
    assert.equal(await refused(cp, 'TransactionEvent', noSeq), 'OccurrenceConstraintViolation');
    assert.equal(await refused(cp, 'TransactionEvent', { ...base, eventType: 'Paused' }), 'PropertyConstraintViolation');
    assert.equal(row(app, 'SELECT count(*) AS n FROM transaction_events WHERE charge_point_id = ?', id)?.n, 0, 'nothing of a refused event is stored');
  });

  test('MeterValues: readings stored as the same meter samples (unit multiplier applied, signed data kept); an empty meterValue -> OccurrenceConstraintViolation', async () => {
    const at = iso();
    await cp.call('MeterValues', {
      evseId: 2,
      meterValue: [
        {
          timestamp: at,
          sampledValue: [
            { value: 12.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh', multiplier: 0 } },
            { value: 16, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
            {
              value: 3.2,
              measurand: 'Power.Active.Import',
              unitOfMeasure: { unit: 'W', multiplier: 3 },
              signedMeterValue: { signedMeterData: 'OCMF|{...}|{...}', signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: 'pk' },
            },
          ],
        },
      ],
    });
    const got = rows(app, 'SELECT measurand, value, value_num AS num, unit, format, phase, connector_id AS c FROM meter_values WHERE charge_point_id = ? ORDER BY id', id);
    assert.deepEqual(
      got.map((r) => `${r.c} ${r.measurand} ${r.value} ${r.unit} ${r.format}`),
      ['2 Energy.Active.Import.Register 12.5 kWh Raw', '2 Current.Import 16 A Raw', '2 Power.Active.Import 3200 W Raw', '2 Power.Active.Import OCMF|{...}|{...} W SignedData'],
    );
    assert.equal(await refused(cp, 'MeterValues', { evseId: 1, meterValue: [] }), 'OccurrenceConstraintViolation');
    assert.equal(await refused(cp, 'MeterValues', { evseId: 1, meterValue: [energyReading(1)], transactionId: 'x' }), 'FormatViolation');
  });

  test('NotifyEvent: each event kept for the station and shown with it; an unknown trigger -> PropertyConstraintViolation', async () => {
    await cp.call('NotifyEvent', {
      generatedAt: iso(),
      seqNo: 0,
      eventData: [
        {
          eventId: 1,
          timestamp: iso(),
          trigger: 'Alerting',
          actualValue: '71',
          component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
          variable: { name: 'Temperature' },
          eventNotificationType: 'HardWiredMonitor',
        },
      ],
    });
    const ev = (await charger()).stationEvents.find((e: any) => e.kind === 'event');
    assert.equal(ev.type, 'Connector[1].Temperature');
    assert.match(ev.detail, /"actualValue":"71"/);
    assert.equal(
      await refused(cp, 'NotifyEvent', {
        generatedAt: iso(),
        seqNo: 1,
        eventData: [{ eventId: 2, timestamp: iso(), trigger: 'Sometimes', actualValue: '1', component: { name: 'C' }, variable: { name: 'V' }, eventNotificationType: 'HardWiredMonitor' }],
      }),
      'PropertyConstraintViolation',
    );
  });

  test('NotifyReport: the device model a GetBaseReport asks for is stored and shown (a later report updates a variable); no variableAttribute -> OccurrenceConstraintViolation', async () => {
    const report = (value: string, seqNo: number, tbc: boolean) => ({
      requestId: 7,
      generatedAt: iso(),
      seqNo,
      tbc,
      reportData: [
        {
          component: { name: 'SecurityCtrlr' },
          variable: { name: 'SecurityProfile' },
          variableAttribute: [{ type: 'Actual', value: '1', mutability: 'ReadOnly' }],
          variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
        },
        {
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'Power' },
          variableAttribute: [
            { value, mutability: 'ReadOnly' },
            { type: 'MaxSet', value: '22000' },
          ],
          variableCharacteristics: { unit: 'W', dataType: 'decimal', supportsMonitoring: true },
        },
      ],
    });
    await cp.call('NotifyReport', report('0', 0, true));
    await cp.call('NotifyReport', report('7400', 1, false));
    const model = (await charger()).deviceModel as any[];
    assert.deepEqual(
      model.map((v) => `${v.component}${v.evseId === null ? '' : `[${v.evseId}]`}.${v.variable}/${v.attributeType}=${v.value}${v.unit ? ` ${v.unit}` : ''}`),
      ['EVSE[1].Power/Actual=7400 W', 'EVSE[1].Power/MaxSet=22000 W', 'SecurityCtrlr.SecurityProfile/Actual=1'],
    );
    assert.equal(
      await refused(cp, 'NotifyReport', { requestId: 7, generatedAt: iso(), seqNo: 2, reportData: [{ component: { name: 'C' }, variable: { name: 'V' } }] }),
      'OccurrenceConstraintViolation',
    );
  });

  test('SecurityEventNotification: kept with the station; a type over 50 characters -> PropertyConstraintViolation', async () => {
    await cp.call('SecurityEventNotification', { type: 'InvalidCsmsCertificate', timestamp: iso(), techInfo: 'cert expired' });
    const ev = (await charger()).stationEvents.find((e: any) => e.kind === 'security');
    assert.deepEqual([ev.type, ev.detail], ['InvalidCsmsCertificate', 'cert expired']);
    assert.equal(await refused(cp, 'SecurityEventNotification', { type: 'x'.repeat(51), timestamp: iso() }), 'PropertyConstraintViolation');
  });

  test('FirmwareStatusNotification and LogStatusNotification: progress on the charger (firmware, diagnostics/logs); unknown statuses -> PropertyConstraintViolation', async () => {
    await cp.call('FirmwareStatusNotification', { status: 'Downloading', requestId: 3 });
    await cp.call('LogStatusNotification', { status: 'Uploading', requestId: 4 });
    const c = await charger();
    assert.equal(c.firmwareStatus, 'Downloading');
    assert.equal(c.diagnosticsStatus, 'Uploading');
    assert.equal(await refused(cp, 'FirmwareStatusNotification', { status: 'Melting' }), 'PropertyConstraintViolation');
    assert.equal(await refused(cp, 'LogStatusNotification', { status: 'Idle', requestId: '4' }), 'TypeConstraintViolation');
  });

  test('ReservationStatusUpdate: the station says its reservation expired; another station cannot change it; a bad status -> PropertyConstraintViolation', async () => {
    const rid = createReservation(app.db, { chargePointId: id, connectorId: 1, idTag: 'GROUP-A', parentIdTag: null, expiryDate: iso(Date.now() + 60_000), at: iso() });
    const other = createReservation(app.db, { chargePointId: 'SOMEONE-ELSE', connectorId: 1, idTag: 'GROUP-A', parentIdTag: null, expiryDate: iso(Date.now() + 60_000), at: iso() });
    await cp.call('ReservationStatusUpdate', { reservationId: rid, reservationUpdateStatus: 'Expired' });
    await cp.call('ReservationStatusUpdate', { reservationId: other, reservationUpdateStatus: 'Removed' });
    assert.equal(row(app, 'SELECT status FROM reservations WHERE id = ?', rid)?.status, 'Expired');
    assert.equal(row(app, 'SELECT status FROM reservations WHERE id = ?', other)?.status, 'Requested');
    assert.equal(await refused(cp, 'ReservationStatusUpdate', { reservationId: rid, reservationUpdateStatus: 'Used' }), 'PropertyConstraintViolation');
  });

  test('DataTransfer: UnknownVendorId unless a vendor handler is registered (JSON data handed over as text); no vendorId -> OccurrenceConstraintViolation', async () => {
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.nobody', data: { a: 1 } }), { status: 'UnknownVendorId' });
    const seen: Array<string | undefined> = [];
    const off = app.ocpp.registerDataTransferHandler('com.alfen', (_cp, _m, data) => (seen.push(data), { status: 'Accepted', data: 'ok' }));
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.alfen', messageId: 'm', data: { a: 1 } }), { status: 'Accepted', data: 'ok' });
    off();
    assert.deepEqual(seen, ['{"a":1}']);
    await waitFor(() => row(app, "SELECT count(*) AS n FROM data_transfers WHERE charge_point_id = ? AND vendor_id = 'com.alfen'", id)?.n === 1, 'transfer recorded');
    assert.equal(await refused(cp, 'DataTransfer', { data: 'x' }), 'OccurrenceConstraintViolation');
  });

  test('anything else -> NotImplemented: a 2.0.1 action outside the blocks spoken here (CostUpdated is a CSMS message), an unknown one, a 1.6 one', async () => {
    assert.equal(await refused(cp, 'NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC' } }), 'NotImplemented');
    assert.equal(await refused(cp, 'CostUpdated', { totalCost: 1, transactionId: 'x' }), 'NotImplemented');
    assert.equal(await refused(cp, 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: iso() }), 'NotImplemented');
    assert.equal(await refused(cp, 'Frobnicate', {}), 'NotImplemented');
  });
});

describe('issue 14: a 2.0.1 station that drops off', () => {
  test('its EVSE connectors are no longer shown with their last state (as 1.6 connectors are not)', async () => {
    const app = await startTestApp();
    try {
      const sid = cpid('OFF201');
      const station = await connectBooted201(app, sid);
      await station.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
      await station.close();
      await waitFor(() => row(app, 'SELECT status FROM evse_connectors WHERE charge_point_id = ?', sid)?.status === 'Unavailable', 'marked unavailable');
      assert.equal(row(app, 'SELECT status FROM connectors WHERE charge_point_id = ?', sid)?.status, 'Unavailable');
    } finally {
      await app.dispose();
    }
  });
});

describe('issue 14: registry policies apply to 2.0.1 stations as to 1.6 chargers', () => {
  test('a lenient 2.0.1 station: an unknown field and a number sent as text are accepted and each recorded as a deviation; a Rejected one may send only BootNotification (SecurityError)', async () => {
    const app = await startTestApp();
    try {
      const laxId = cpid('LAX201');
      insertCharger(app.db, laxId);
      updateCharger(app.db, laxId, { lenient: true });
      const lax = await connectBooted201(app, laxId);
      assert.deepEqual(await lax.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Available', evseId: '1', connectorId: 1, vendorNote: 'x' }), {});
      assert.equal(row(app, 'SELECT status FROM evse_connectors WHERE charge_point_id = ? AND evse_id = 1', laxId)?.status, 'Available');
      await waitFor(() => (row(app, 'SELECT count(*) AS n FROM schema_deviations WHERE charge_point_id = ?', laxId)?.n ?? 0) >= 2, 'deviations recorded');
      await lax.close();

      const rejectedId = cpid('REJ201');
      insertCharger(app.db, rejectedId, { registrationStatus: 'Rejected' });
      const rejected = await connect201(app, rejectedId);
      assert.equal((await boot201(rejected)).status, 'Rejected');
      assert.equal(await refused(rejected, 'Heartbeat', {}), 'SecurityError');
      await rejected.close();
    } finally {
      await app.dispose();
    }
  });
});
