import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectBooted, cpid, rows, startTestApp, type TestApp, type TestCharger } from './support.js';

let app: TestApp;
let cp: TestCharger;
let cpId: string;
before(async () => {
  app = await startTestApp();
  cpId = cpid('MVID');
  cp = await connectBooted(app, cpId);
});
after(async () => {
  await cp.close();
  await app.dispose();
});

/** An Eichrecht-style signed reading: OCMF, far longer than any raw value. */
const ocmf = (wh: number) =>
  `OCMF|{"FV":"1.0","GI":"SEAL AG","GS":"1850006a","GV":"1.34","PG":"T9289","RD":[{"TM":"2026-12-01T07:28:47,000+0000 S","TX":"B","RV":${wh / 1000},"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}],"ZZ":"${'A'.repeat(1500)}"}|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045022100${'b'.repeat(120)}"}`;

test('issue 8: a SignedData sample beside its Raw sample, and Wh beside kWh of the same measurand and instant, are each stored (3 samples sent, 3 stored); a retried message stores nothing twice', async () => {
  const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'EICH', meterStart: 1000, timestamp: '2026-12-01T07:28:47.000Z' });
  const message = {
    connectorId: 1,
    transactionId,
    meterValue: [
      {
        timestamp: '2026-12-01T07:28:47.000Z',
        sampledValue: [
          { value: '1000', context: 'Transaction.Begin', unit: 'Wh' },
          { value: ocmf(1000), context: 'Transaction.Begin', format: 'SignedData' },
          { value: '1.000', context: 'Transaction.Begin', unit: 'kWh' },
        ],
      },
    ],
  };
  await cp.call('MeterValues', message);
  await cp.call('MeterValues', message);
  const stored = rows(app, 'SELECT value, format, unit FROM meter_values WHERE transaction_id = ? ORDER BY id', transactionId);
  assert.deepEqual(
    stored.map((r) => [r.format, r.unit, r.value]),
    [
      ['Raw', 'Wh', '1000'],
      ['SignedData', 'Wh', ocmf(1000)],
      ['Raw', 'kWh', '1.000'],
    ],
  );
});

test('issue 8: signed meter data is kept with its session and exported in full for billing audits (GET /api/sessions/:id/signed-meter-values)', async () => {
  const { transactionId } = await cp.call('StartTransaction', { connectorId: 2, idTag: 'EICH2', meterStart: 2000, timestamp: '2026-12-01T08:00:00.000Z' });
  await cp.call('MeterValues', {
    connectorId: 2,
    transactionId,
    meterValue: [{ timestamp: '2026-12-01T08:00:00.000Z', sampledValue: [{ value: '2000' }, { value: ocmf(2000), format: 'SignedData', context: 'Transaction.Begin' }] }],
  });
  // Eichrecht chargers commonly send the end reading in the stop's transactionData.
  await cp.call('StopTransaction', {
    transactionId,
    meterStop: 9000,
    timestamp: '2026-12-01T09:00:00.000Z',
    transactionData: [
      {
        timestamp: '2026-12-01T09:00:00.000Z',
        sampledValue: [
          { value: '9000', context: 'Transaction.End' },
          { value: ocmf(9000), format: 'SignedData', context: 'Transaction.End' },
        ],
      },
    ],
  });
  const res = await app.api(`/api/sessions/${transactionId}/signed-meter-values`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { session: { transactionId: number; chargePointId: string; idTag: string; meterStart: number; meterStop: number }; samples: Array<Record<string, unknown>> };
  assert.deepEqual([body.session.transactionId, body.session.chargePointId, body.session.idTag, body.session.meterStart, body.session.meterStop], [transactionId, cpId, 'EICH2', 2000, 9000]);
  assert.deepEqual(
    body.samples.map((s) => [s.timestamp, s.context, s.format, s.source, s.value]),
    [
      ['2026-12-01T08:00:00.000Z', 'Transaction.Begin', 'SignedData', 'MeterValues', ocmf(2000)],
      ['2026-12-01T09:00:00.000Z', 'Transaction.End', 'SignedData', 'StopTransaction', ocmf(9000)],
    ],
  );
  assert.equal((await app.api('/api/sessions/99999999/signed-meter-values')).status, 404);
  const doc = (await (await app.api('/api/openapi.json')).json()) as { paths: Record<string, { get?: { summary: string } }> };
  assert.match(doc.paths['/api/sessions/{id}/signed-meter-values']!.get!.summary, /signed meter values/i);
});
