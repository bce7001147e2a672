import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCharger, insertCharger } from '../../main/store/queries/chargers.js';
import { connect, connectBooted, cpid, row, rows, startTestApp, type TestApp, type TestCharger } from './support.js';

describe('inbound 1.6 messages (CP -> CS)', () => {
  let app: TestApp;
  let cp: TestCharger;
  let cpId: string;
  before(async () => {
    app = await startTestApp({ heartbeatIntervalSec: 90 });
    cpId = cpid('IN');
    cp = await connectBooted(app, cpId);
  });
  after(async () => {
    await cp.close();
    await app.dispose();
  });

  test('BootNotification: Accepted with currentTime and interval = heartbeat interval; vendor, model, serials, firmware, modem and meter stored', async () => {
    const id = cpid('BOOT');
    const c = await connect(app, id);
    const booted: string[] = [];
    const off = app.events.on('charger.booted', (e) => e.chargePointId === id && booted.push(`${e.status} ${e.vendor} ${e.model}`));
    const t0 = Date.now();
    const b = await c.call('BootNotification', {
      chargePointVendor: 'Siemens',
      chargePointModel: '8EM1310-3EJ04-0GA0',
      chargePointSerialNumber: 'JAAL34S021',
      chargeBoxSerialNumber: 'BOX-0001',
      firmwareVersion: 'V2.135',
      iccid: '8949000000000000001',
      imsi: '262010000000001',
      meterType: 'EM340',
      meterSerialNumber: 'MTR-77',
    });
    off();
    assert.equal(b.status, 'Accepted');
    assert.equal(b.interval, 90);
    assert.ok(Math.abs(Date.parse(b.currentTime) - t0) < 5000, 'currentTime is the central system clock');
    assert.match(b.currentTime, /Z$/);
    const r = getCharger(app.db, id)!;
    assert.deepEqual(
      {
        vendor: r.vendor,
        model: r.model,
        serialNumber: r.serialNumber,
        chargeBoxSerialNumber: r.chargeBoxSerialNumber,
        firmwareVersion: r.firmwareVersion,
        iccid: r.iccid,
        imsi: r.imsi,
        meterType: r.meterType,
        meterSerialNumber: r.meterSerialNumber,
        bootStatus: r.bootStatus,
      },
      {
        vendor: 'Siemens',
        model: '8EM1310-3EJ04-0GA0',
        serialNumber: 'JAAL34S021',
        chargeBoxSerialNumber: 'BOX-0001',
        firmwareVersion: 'V2.135',
        iccid: '8949000000000000001',
        imsi: '262010000000001',
        meterType: 'EM340',
        meterSerialNumber: 'MTR-77',
        bootStatus: 'Accepted',
      },
    );
    assert.ok(r.lastBootAt);
    assert.deepEqual(booted, ['Accepted Siemens 8EM1310-3EJ04-0GA0']);
    // a firmware update shows on the next boot
    await c.call('BootNotification', { chargePointVendor: 'Siemens', chargePointModel: '8EM1310-3EJ04-0GA0', firmwareVersion: 'V2.200' });
    assert.equal(getCharger(app.db, id)!.firmwareVersion, 'V2.200');
    await c.close();
  });

  test('BootNotification: a serial number entered by the operator (seed 004) is not overwritten by the firmware', async () => {
    const id = cpid('SER');
    insertCharger(app.db, id, { serialNumber: 'OPERATOR-SN' });
    const c = await connect(app, id);
    await c.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M', chargePointSerialNumber: 'FW-SN' });
    assert.equal(getCharger(app.db, id)!.serialNumber, 'OPERATOR-SN');
    await c.close();
  });

  test('Heartbeat: answered with the current time', async () => {
    const t0 = Date.now();
    const hb = await cp.call('Heartbeat', {});
    assert.deepEqual(Object.keys(hb), ['currentTime']);
    assert.ok(Math.abs(Date.parse(hb.currentTime) - t0) < 5000);
  });

  test('Authorize: answered with idTagInfo from the local list (works with no internet)', async () => {
    await app.api('/api/rfid', { method: 'POST', json: { tagId: 'LOCAL-ONLY' } });
    assert.deepEqual(await cp.call('Authorize', { idTag: 'LOCAL-ONLY' }), { idTagInfo: { status: 'Accepted' } });
    assert.deepEqual(await cp.call('Authorize', { idTag: 'NOT-LISTED' }), { idTagInfo: { status: 'Invalid' } });
  });

  test('DataTransfer: a vendorId with no registered handler is answered UnknownVendorId, and the transfer is recorded', async () => {
    const r = await cp.call('DataTransfer', { vendorId: 'com.nobody', messageId: 'Ping', data: '{"a":1}' });
    assert.deepEqual(r, { status: 'UnknownVendorId' });
    const d = row(app, 'SELECT vendor_id, message_id, data, status FROM data_transfers WHERE charge_point_id = ? ORDER BY id DESC', cpId)!;
    assert.deepEqual({ ...d }, { vendor_id: 'com.nobody', message_id: 'Ping', data: '{"a":1}', status: 'UnknownVendorId' });
  });

  test("DataTransfer: a handler registered in the app's dataTransferHandlers map is used, with charger, messageId and data", async () => {
    const calls: unknown[] = [];
    // The map the app composed the OCPP server with (app.ts passes it in as a service).
    const map = app.ocpp['s'].dataTransferHandlers;
    map.set('com.siemens', (chargePointId, messageId, data) => {
      calls.push([chargePointId, messageId, data]);
      return messageId === 'GetTariff' ? { status: 'Accepted', data: '{"price":0.39}' } : { status: 'UnknownMessageId' };
    });
    try {
      assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.siemens', messageId: 'GetTariff', data: 'EV1' }), { status: 'Accepted', data: '{"price":0.39}' });
      assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.siemens', messageId: 'Other' }), { status: 'UnknownMessageId' });
      assert.deepEqual(calls, [
        [cpId, 'GetTariff', 'EV1'],
        [cpId, 'Other', undefined],
      ]);
      const stored = rows(app, `SELECT message_id, status FROM data_transfers WHERE charge_point_id = ? AND vendor_id = 'com.siemens' ORDER BY id`, cpId);
      assert.deepEqual(
        stored.map((x) => [x.message_id, x.status]),
        [
          ['GetTariff', 'Accepted'],
          ['Other', 'UnknownMessageId'],
        ],
      );
    } finally {
      map.delete('com.siemens');
    }
    // unregistered again -> UnknownVendorId
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.siemens' }), { status: 'UnknownVendorId' });
  });

  test('DataTransfer: registerDataTransferHandler adds and removes a vendor handler (async handlers too)', async () => {
    const off = app.ocpp.registerDataTransferHandler('com.example', async (_cp, _m, data) => ({ status: 'Rejected', data: `no ${data}` }));
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.example', data: 'x' }), { status: 'Rejected', data: 'no x' });
    off();
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'com.example' }), { status: 'UnknownVendorId' });
  });

  for (const status of ['Idle', 'Uploading', 'Uploaded', 'UploadFailed'] as const) {
    test(`DiagnosticsStatusNotification ${status} is stored on the charger with its time`, async () => {
      const seen: string[] = [];
      const off = app.events.on('charger.diagnostics', (e) => e.chargePointId === cpId && seen.push(e.status));
      assert.deepEqual(await cp.call('DiagnosticsStatusNotification', { status }), {});
      off();
      const c = getCharger(app.db, cpId)!;
      assert.equal(c.diagnosticsStatus, status);
      assert.ok(Date.now() - Date.parse(c.diagnosticsStatusAt!) < 5000);
      assert.deepEqual(seen, [status]);
    });
  }

  for (const status of ['Downloading', 'Downloaded', 'DownloadFailed', 'Installing', 'Installed', 'InstallationFailed', 'Idle'] as const) {
    test(`FirmwareStatusNotification ${status} is stored on the charger with its time`, async () => {
      const seen: string[] = [];
      const off = app.events.on('charger.firmware', (e) => e.chargePointId === cpId && seen.push(e.status));
      assert.deepEqual(await cp.call('FirmwareStatusNotification', { status }), {});
      off();
      const c = getCharger(app.db, cpId)!;
      assert.equal(c.firmwareStatus, status);
      assert.ok(Date.now() - Date.parse(c.firmwareStatusAt!) < 5000);
      assert.deepEqual(seen, [status]);
    });
  }

  test('every CP->CS action of 1.6 is answered with a CALLRESULT (none is NotImplemented)', async () => {
    const ts = new Date().toISOString();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'ALL', meterStart: 0, timestamp: ts });
    const all: Array<[string, unknown]> = [
      ['Authorize', { idTag: 'ALL' }],
      ['BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }],
      ['DataTransfer', { vendorId: 'v' }],
      ['DiagnosticsStatusNotification', { status: 'Idle' }],
      ['FirmwareStatusNotification', { status: 'Idle' }],
      ['Heartbeat', {}],
      ['MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: ts, sampledValue: [{ value: '5' }] }] }],
      ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }],
      ['StopTransaction', { transactionId: start.transactionId, meterStop: 10, timestamp: ts }],
    ];
    for (const [action, payload] of all) {
      const f = await cp.callRaw(action, payload);
      assert.equal(f[0], 3, `${action}: ${JSON.stringify(f)}`);
    }
  });
});

test('BootNotification from a charger in the registry as Pending: Pending and interval = bootRetryIntervalSec, details still stored', async () => {
  const app = await startTestApp({ bootRetryIntervalSec: 33, heartbeatIntervalSec: 600 });
  try {
    const id = cpid('PB');
    insertCharger(app.db, id, { registrationStatus: 'Pending' });
    const c = await connect(app, id);
    const b = await c.call('BootNotification', { chargePointVendor: 'ABB', chargePointModel: 'Terra', firmwareVersion: '1.2' });
    assert.deepEqual([b.status, b.interval], ['Pending', 33]);
    const r = getCharger(app.db, id)!;
    assert.deepEqual([r.vendor, r.model, r.firmwareVersion, r.bootStatus], ['ABB', 'Terra', '1.2', 'Pending']);
    await c.close();
  } finally {
    await app.dispose();
  }
});
