/**
 * Issue 12: a MeterValues message dirties few pages. Many chargers' MeterValues share each
 * commit; the pages they change are what the commit writes to the WAL and fsyncs. The sample
 * identity index used to lead with the charger, so every message changed a leaf page of its own
 * in it; leading with the timestamp (migration 012) the new entries share the index's last pages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDb } from '../../main/store/db.js';
import { ensureCharger } from '../../main/store/queries/chargers.js';
import { insertMeterSamples, type MeterSample } from '../../main/store/queries/meter-values.js';
import { insertTransaction } from '../../main/store/queries/transactions.js';

const root = mkdtempSync(join(tmpdir(), 'ocpp-edge-meter-pages-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Frames (pages) in the WAL since it was last reset. */
function walFrames(file: string): number {
  const buf = readFileSync(`${file}-wal`);
  const pageSize = buf.readUInt32BE(8);
  const [salt1, salt2] = [buf.readUInt32BE(16), buf.readUInt32BE(20)];
  let frames = 0;
  for (let off = 32; off + 24 + pageSize <= buf.length; off += 24 + pageSize) {
    if (buf.readUInt32BE(off + 8) !== salt1 || buf.readUInt32BE(off + 12) !== salt2) break;
    frames++;
  }
  return frames;
}

/** One MeterValues message as the handler stores it: energy, power, current, voltage at one instant. */
function message(chargePointId: string, transactionId: number, at: string, i: number): MeterSample[] {
  const base = { chargePointId, connectorId: 1, transactionId, timestamp: at, context: 'Sample.Periodic', format: 'Raw', phase: null, location: 'Outlet', source: 'MeterValues' as const };
  return [
    { ...base, measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: String(1000 + i * 37), valueNum: 1000 + i * 37 },
    { ...base, measurand: 'Power.Active.Import', unit: 'W', value: '11000', valueNum: 11000 },
    { ...base, measurand: 'Current.Import', unit: 'A', value: '16', valueNum: 16 },
    { ...base, measurand: 'Voltage', unit: 'V', value: '230', valueNum: 230 },
  ];
}

test('issue 12: one commit of 300 chargers’ MeterValues writes fewer than 0.8 pages per message to the WAL (identity index by time)', () => {
  const file = join(root, 'pages.db');
  const db = openDb(file);
  try {
    db.pragma('wal_autocheckpoint = 0');
    const chargers = 300;
    const t0 = Date.parse('2026-12-01T08:00:00.000Z');
    const tx = db.transaction(() =>
      Array.from({ length: chargers }, (_, c) => {
        ensureCharger(db, `PG${c}`, 'Accepted');
        return insertTransaction(db, {
          chargePointId: `PG${c}`,
          connectorId: 1,
          idTag: `T${c}`,
          authStatus: 'Accepted',
          meterStart: 0,
          startTime: new Date(t0).toISOString(),
          reservationId: null,
          receivedAt: new Date(t0).toISOString(),
        });
      }),
    )();
    // Some history: every charger has reported 30 times, a minute apart.
    const round = db.transaction((r: number) => {
      const at = new Date(t0 + r * 60_000).toISOString();
      for (let c = 0; c < chargers; c++) insertMeterSamples(db, message(`PG${c}`, tx[c]!, at, r));
    });
    for (let r = 1; r <= 30; r++) round(r);
    db.pragma('wal_checkpoint(TRUNCATE)');
    round(31);
    const perMessage = walFrames(file) / chargers;
    assert.ok(perMessage < 0.8, `${perMessage.toFixed(2)} pages written per MeterValues message`);
  } finally {
    db.close();
  }
});
