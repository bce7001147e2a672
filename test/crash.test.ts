/**
 * Issue 2 acceptance: kill -9 of the service while 50 chargers run sessions. Every message the
 * central system acknowledged must be on disk, exactly once, after the chargers reconnected
 * and delivered their queues to the restarted service. Issue 14: the fleet is mixed, half of it
 * OCPP 2.0.1 stations whose TransactionEvents (queued offline, resent after the kill) must each
 * be stored once and make each session once, complete, with the acknowledged energy.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../main/store/db.js';
import { waitFor } from './helpers/wait.js';
import { Fleet } from './sim/fleet.js';
import { freePort, ServiceProcess } from './sim/service.js';

const TOKEN = 'crash-test-token-0123456789abcdef';
const CHARGERS = 50;
/** Every other charger speaks 2.0.1. */
const CHARGERS_16 = 25;
const CHARGERS_201 = 25;
const SESSIONS = 6;
const SAMPLES = 8;

test('issue 2 and 14 acceptance: SIGKILL while 50 chargers (25 OCPP 1.6, 25 OCPP 2.0.1) run sessions loses nothing acknowledged and duplicates nothing', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ocpp-edge-crash-'));
  const port = await freePort();
  let service: ServiceProcess | null = null;
  const fleet = new Fleet({
    url: `ws://127.0.0.1:${port}/ocpp`,
    chargers: CHARGERS,
    sessions: SESSIONS,
    prefix: 'CRASH',
    versions: ['1.6', '2.0.1'],
    meterIntervalMs: 40,
    samplesPerSession: SAMPLES,
    rampMs: 300,
    deadlineMs: 60_000,
    charger: { backoffInitialMs: 100, backoffMaxMs: 1000, txRetryIntervalMs: 300, callTimeoutMs: 5000 },
    charger201: { backoffInitialMs: 100, backoffMaxMs: 1000, txRetryIntervalMs: 300, callTimeoutMs: 5000 },
  });
  try {
    service = await ServiceProcess.start({ dataDir, port, token: TOKEN });
    const run = fleet.run();

    // Mid-run: sessions started, stopped and metering on every side of the kill, and the kill
    // lands while transaction messages are in flight (some committed, their answers not yet read).
    const inFlight = () => fleet.chargers.filter((c) => c.inFlight?.transactional).length;
    await waitFor(
      () => {
        const p = fleet.progress();
        return p.sessionsCompleted >= CHARGERS && p.meterValuesAcked >= CHARGERS * SAMPLES && inFlight() >= 10;
      },
      { timeoutMs: 30_000, stepMs: 20, what: 'a quarter of the run with messages in flight' },
    );
    // Same tick as the check: no answer can be read in between.
    const inFlightAtKill = inFlight();
    const atKill = fleet.progress();
    await service.kill9();
    const killedAt = Date.now();
    // The chargers go on charging offline: new sessions start and their messages queue up.
    await waitFor(() => fleet.chargers.some((c) => c.transactions.some((tx) => Date.parse(tx.startTime) >= killedAt)) && fleet.progress().pendingTransactionMessages > 0, {
      timeoutMs: 10_000,
      what: 'sessions started and queued while the service is down',
    });
    const queuedWhileDown = fleet.progress().pendingTransactionMessages;
    service = await ServiceProcess.start({ dataDir, port, token: TOKEN });
    const restartedAt = Date.now();

    const summary = await run;
    t.diagnostic(
      `killed after ${atKill.sessionsCompleted} stops / ${atKill.meterValuesAcked} meter values acknowledged, ${inFlightAtKill} in flight; ${queuedWhileDown} transaction messages queued while down; ` +
        `down ${restartedAt - killedAt} ms; ${summary.reconnects} reconnects, ${summary.resends} resends; run ${summary.elapsedMs} ms`,
    );
    assert.deepEqual(summary.errorList, [], 'the chargers saw no protocol errors');
    assert.equal(summary.ok, true);
    assert.equal(summary.sessionsCompleted, CHARGERS * SESSIONS);
    assert.ok(atKill.sessionsCompleted < CHARGERS * SESSIONS, 'the kill happened mid-run');
    assert.ok(queuedWhileDown > 0, `transaction messages were queued while the service was down (${queuedWhileDown})`);
    for (const c of fleet.chargers) assert.ok(c.connects >= 2, `${c.id} reconnected after the kill`);
    await service.stop();
    service = null;

    const db = openDb(join(dataDir, 'ocpp-edge.db'), { readonly: true });
    try {
      const starts = fleet.chargers16.flatMap((c) => c.ledger.starts);
      const stops = fleet.chargers16.flatMap((c) => c.ledger.stops);
      const meters = fleet.chargers16.flatMap((c) => c.ledger.meterValues);
      assert.equal(starts.length, CHARGERS_16 * SESSIONS);
      assert.equal(stops.length, CHARGERS_16 * SESSIONS);
      assert.equal(meters.length, CHARGERS_16 * SESSIONS * SAMPLES);
      assert.equal(new Set(starts.map((s) => s.transactionId)).size, starts.length, 'every session got its own transactionId');
      assert.ok(
        starts.some((s) => Date.parse(s.timestamp) >= killedAt && Date.parse(s.timestamp) < restartedAt),
        'some sessions started while the service was down',
      );

      // Every acknowledged start is stored under its id, with its identity, exactly once.
      const byId = db.prepare(
        `SELECT charge_point_id AS chargePointId, connector_id AS connectorId, id_tag AS idTag, meter_start AS meterStart, start_time AS timestamp,
           meter_stop AS meterStop, stop_time AS stopTime, status, energy_wh AS energyWh, stop_reason AS reason FROM transactions WHERE id = ?`,
      );
      const startById = new Map(starts.map((s) => [s.transactionId, s]));
      for (const s of starts) {
        const t = byId.get(s.transactionId) as Record<string, unknown> | undefined;
        assert.ok(t, `transaction ${s.transactionId} (${s.chargePointId}) is stored`);
        assert.deepEqual(
          { chargePointId: t.chargePointId, connectorId: t.connectorId, idTag: t.idTag, meterStart: t.meterStart, timestamp: t.timestamp },
          { chargePointId: s.chargePointId, connectorId: s.connectorId, idTag: s.idTag, meterStart: s.meterStart, timestamp: s.timestamp },
        );
      }
      const stored = db.prepare(`SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE 'CRASH-%' AND charger_transaction_id IS NULL`).get() as { n: number };
      assert.equal(stored.n, starts.length, 'no 1.6 transaction beyond the acknowledged ones');
      const dupTx = db.prepare(`SELECT charge_point_id, connector_id, start_time, meter_start, id_tag, count(*) AS n FROM transactions GROUP BY 1, 2, 3, 4, 5 HAVING n > 1`).all();
      assert.deepEqual(dupTx, [], 'no duplicate transaction for the same identity');

      // Every acknowledged stop completed its transaction with the right meter reading.
      for (const s of stops) {
        const t = byId.get(s.transactionId) as Record<string, unknown>;
        const start = startById.get(s.transactionId)!;
        assert.deepEqual(
          { status: t.status, meterStop: t.meterStop, stopTime: t.stopTime, reason: t.reason, energyWh: t.energyWh },
          { status: 'Completed', meterStop: s.meterStop, stopTime: s.timestamp, reason: s.reason, energyWh: s.meterStop - start.meterStart },
          `transaction ${s.transactionId}`,
        );
      }
      assert.equal((db.prepare(`SELECT count(*) AS n FROM orphan_stops`).get() as { n: number }).n, 0, 'no stop for an unknown transaction');

      // Every acknowledged MeterValues is stored with all its samples, once; nothing else is.
      const expected = new Map(meters.map((m) => [`${m.transactionId}|${m.timestamp}`, m.samples]));
      assert.equal(expected.size, meters.length, 'ledger entries are distinct');
      const actual = db
        .prepare(`SELECT transaction_id AS tx, timestamp, count(*) AS n FROM meter_values WHERE source = 'MeterValues' AND charge_point_id LIKE 'CRASH-%' GROUP BY 1, 2`)
        .all() as Array<{ tx: number; timestamp: string; n: number }>;
      const actualKeys = new Set(actual.map((a) => `${a.tx}|${a.timestamp}`));
      const missing = [...expected.keys()].filter((k) => !actualKeys.has(k));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged MeterValues missing`);
      for (const a of actual) assert.equal(a.n, expected.get(`${a.tx}|${a.timestamp}`), `meter values of transaction ${a.tx} at ${a.timestamp}`);
      assert.equal(actual.length, expected.size, 'no MeterValues beyond the acknowledged ones');
      const dupMeter = db
        .prepare(
          `SELECT charge_point_id, connector_id, transaction_id, timestamp, measurand, phase, location, context, count(*) AS n
             FROM meter_values GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING n > 1`,
        )
        .all();
      assert.deepEqual(dupMeter, [], 'no duplicate meter rows');
      const stopRows = db.prepare(`SELECT count(*) AS n FROM meter_values WHERE source = 'StopTransaction' AND charge_point_id LIKE 'CRASH-%'`).get() as { n: number };
      assert.equal(
        stopRows.n,
        stops.reduce((n, s) => n + s.transactionDataSamples, 0),
        'transactionData of every stop, once',
      );

      // OCPP 2.0.1: every acknowledged TransactionEvent is stored once, and nothing else is.
      const c201 = fleet.chargers201;
      const started201 = c201.flatMap((c) => c.ledger.starts);
      const ended201 = c201.flatMap((c) => c.ledger.stops);
      const updated201 = c201.flatMap((c) => c.ledger.meterValues);
      assert.equal(started201.length, CHARGERS_201 * SESSIONS);
      assert.equal(ended201.length, CHARGERS_201 * SESSIONS);
      assert.equal(updated201.length, CHARGERS_201 * SESSIONS * SAMPLES);
      assert.ok(
        started201.some((s) => s.offline),
        'some 2.0.1 transactions started while the service was down (offline events)',
      );
      const acked = new Set([
        ...c201.flatMap((c) => c.ledger.starts.map((e) => `${c.id}|${e.transactionId}|${e.seqNo}`)),
        ...c201.flatMap((c) => c.ledger.meterValues.map((e) => `${c.id}|${e.transactionId}|${e.seqNo}`)),
        ...c201.flatMap((c) => c.ledger.stops.map((e) => `${c.id}|${e.transactionId}|${e.seqNo}`)),
      ]);
      assert.equal(acked.size, started201.length + ended201.length + updated201.length, 'ledger entries are distinct');
      const events = db.prepare(`SELECT charge_point_id || '|' || charger_transaction_id || '|' || seq_no AS k FROM transaction_events WHERE charge_point_id LIKE 'CRASH-%'`).all() as Array<{
        k: string;
      }>;
      const storedEvents = new Set(events.map((e) => e.k));
      const missingEvents = [...acked].filter((k) => !storedEvents.has(k));
      assert.deepEqual(missingEvents.slice(0, 5), [], `${missingEvents.length} acknowledged TransactionEvents missing`);
      assert.equal(events.length, acked.size, 'no TransactionEvent beyond the acknowledged ones, none twice');
      const session201 = db.prepare(
        `SELECT connector_id AS evseId, id_tag AS idToken, meter_start AS meterStart, start_time AS timestamp, status, meter_stop AS meterStop, stop_time AS stopTime,
           stop_reason AS reason, energy_wh AS energyWh, seq_gaps AS gaps FROM transactions WHERE charge_point_id = ? AND charger_transaction_id = ?`,
      );
      for (const c of c201) {
        for (const s of c.ledger.starts) {
          const stop = c.ledger.stops.find((x) => x.transactionId === s.transactionId)!;
          assert.deepEqual(
            session201.all(c.id, s.transactionId),
            [
              {
                evseId: s.evseId,
                idToken: s.idToken,
                meterStart: s.meterStart,
                timestamp: s.timestamp,
                status: 'Completed',
                meterStop: stop.meterStop,
                stopTime: stop.timestamp,
                reason: stop.reason,
                energyWh: stop.meterStop - s.meterStart,
                gaps: null,
              },
            ],
            `2.0.1 transaction ${s.transactionId} of ${c.id}: one complete session`,
          );
        }
      }
      const stored201 = db.prepare(`SELECT count(*) AS n FROM transactions WHERE charge_point_id LIKE 'CRASH-%' AND charger_transaction_id IS NOT NULL`).get() as { n: number };
      assert.equal(stored201.n, started201.length, 'no 2.0.1 session beyond the acknowledged ones');
    } finally {
      db.close();
    }
  } catch (err) {
    if (service) console.error(`service output:\n${service.output}`);
    throw err;
  } finally {
    await fleet.close();
    if (service) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
