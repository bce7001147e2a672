import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EdgeEvents } from '../../main/events.js';
import { insertIdTag } from '../../main/store/queries/id-tags.js';
import { connectBooted, cpid, iso, row, rows, startTestApp, type TestApp, type TestCharger, waitFor } from './support.js';
import { connectBooted201, txEvent, txId } from './v201-support.js';

/** A session as /api/sessions shows it. */
type ApiSession = Record<string, any>;

/** Deterministic shuffle (a fixed LCG), so a failure replays the same order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('issue 14: OCPP 2.0.1 transactions (TransactionEvent) as sessions', () => {
  let app: TestApp;
  let cp: TestCharger;
  let id: string;
  const seen: Array<[string, unknown]> = [];
  before(async () => {
    app = await startTestApp();
    id = cpid('TX201');
    cp = await connectBooted201(app, id);
    for (const name of ['transaction.started', 'transaction.stopped', 'meter.values'] as const) app.events.on(name, (e: EdgeEvents[typeof name]) => seen.push([name, e]));
  });
  after(async () => {
    await cp.close();
    await app.dispose();
  });

  const sessionsOf = async (chargePointId: string): Promise<ApiSession[]> => (await (await app.api(`/api/sessions?station=${encodeURIComponent(chargePointId)}&limit=1000`)).json()).items;
  const outboxFor = (sessionId: number) =>
    rows(app, "SELECT payload FROM sync_outbox WHERE kind = 'session' AND json_extract(payload, '$.transaction_id') = ?", sessionId).map((r) => JSON.parse(r.payload));

  test('boot -> Authorize -> Started / Updated / Ended: one completed session with its energy in /api/sessions, the station id kept as a string, head office record queued', async () => {
    insertIdTag(app.db, { tagId: 'E2E-TAG-1' });
    assert.equal((await cp.call('Authorize', { idToken: { idToken: 'E2E-TAG-1', type: 'ISO14443' } })).idTokenInfo.status, 'Accepted');
    const t = txId();
    const started = await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 0, eventType: 'Started', wh: 10_000, idToken: 'E2E-TAG-1', evseId: 1, chargingState: 'Charging' }));
    assert.equal(started.idTokenInfo.status, 'Accepted');
    const running = (await sessionsOf(id)).find((s) => s.chargerTransactionId === t)!;
    assert.equal(running.status, 'Active');
    assert.equal((await (await app.api(`/api/charger/${id}`)).json()).connectors.find((c: any) => c.connectorId === 1).status, 'Charging', 'the EVSE shows its charging state');
    await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 1, eventType: 'Updated', wh: 12_500 }));
    assert.equal((await sessionsOf(id)).find((s) => s.chargerTransactionId === t)!.energyWh, 2500, 'running energy');
    const ended = await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 2, eventType: 'Ended', wh: 17_250, idToken: 'E2E-TAG-1' }));
    assert.equal(ended.idTokenInfo.status, 'Accepted');
    const s = (await sessionsOf(id)).find((x) => x.chargerTransactionId === t)!;
    assert.equal(typeof s.chargerTransactionId, 'string');
    assert.equal(typeof s.transactionId, 'number');
    assert.equal(s.status, 'Completed');
    assert.equal(s.meterStart, 10_000);
    assert.equal(s.meterStop, 17_250);
    assert.equal(s.energyWh, 7250);
    assert.equal(s.idTag, 'E2E-TAG-1');
    assert.equal(s.startAuthStatus, 'Accepted');
    assert.equal(s.connectorId, 1);
    assert.equal(s.stopReason, 'Local');
    assert.deepEqual(s.missingSeqNos, []);
    const records = outboxFor(s.transactionId);
    assert.equal(records.length, 1, 'exactly one head-office record');
    assert.equal(records[0].charger_transaction_id, t);
    assert.equal(records[0].total_energy, 7.25);
    assert.equal(rows(app, 'SELECT * FROM meter_values WHERE transaction_id = ?', s.transactionId).length, 3, 'the events meter values are the session samples');
    const csv = (await (await app.api(`/api/sessions/export.csv?station=${id}`)).text()).trim().split('\r\n');
    assert.match(csv[0]!, /,chargerTransactionId$/);
    assert.ok(
      csv.some((l) => l.endsWith(`,${t}`)),
      'the CSV export carries the station transaction id',
    );
    // Load management and the UI hear of it as of a 1.6 session: one start, one stop.
    assert.equal(seen.filter(([n, e]) => n === 'transaction.started' && (e as any).transactionId === s.transactionId).length, 1);
    assert.equal(seen.filter(([n, e]) => n === 'transaction.stopped' && (e as any).transactionId === s.transactionId && (e as any).energyWh === 7250).length, 1);
    assert.ok(seen.some(([n, e]) => n === 'meter.values' && (e as any).transactionId === s.transactionId));
  });

  test('sessions of both versions in /api/sessions with one shape; the 1.6 one keeps its integer id as chargerTransactionId', async () => {
    const id16 = cpid('TX16');
    const c16 = await connectBooted(app, id16);
    insertIdTag(app.db, { tagId: 'SHAPE-16' });
    const { transactionId } = await c16.call('StartTransaction', { connectorId: 1, idTag: 'SHAPE-16', meterStart: 100, timestamp: iso() });
    await c16.call('StopTransaction', { transactionId, meterStop: 600, timestamp: iso() });
    await c16.close();
    const [s16] = await sessionsOf(id16);
    const [s201] = await sessionsOf(id);
    assert.deepEqual(Object.keys(s16!).sort(), Object.keys(s201!).sort());
    assert.equal(s16!.chargerTransactionId, String(transactionId));
    assert.equal(s16!.energyWh, 500);
  });

  test('shuffled by seqNo and the offline queue replayed twice: each session exactly once, with the right energy, one head-office record each', async () => {
    const sid = cpid('SHUF');
    const station = await connectBooted201(app, sid);
    insertIdTag(app.db, { tagId: 'SHUF-TAG' });
    const base = Date.now() - 3_600_000;
    const txs = Array.from({ length: 4 }, (_, k) => ({ id: txId(), evse: (k % 2) + 1, startWh: 1000 * (k + 1), stepWh: 250 * (k + 1) }));
    // Per-transaction numbering 0..6: Started, five Updated, Ended; every one queued offline.
    const events = txs.flatMap((t, k) =>
      Array.from({ length: 7 }, (_, n) =>
        txEvent({
          transactionId: t.id,
          seqNo: n,
          eventType: n === 0 ? 'Started' : n === 6 ? 'Ended' : 'Updated',
          wh: t.startWh + n * t.stepWh,
          ...(n === 0 && { idToken: 'SHUF-TAG', evseId: t.evse }),
          offline: true,
          at: new Date(base + k * 600_000 + n * 60_000).toISOString(),
        }),
      ),
    );
    for (const round of [1, 2]) for (const e of shuffled(events, 7 * round)) await station.call('TransactionEvent', e);
    const sessions = await sessionsOf(sid);
    assert.equal(sessions.length, txs.length, 'each transaction once');
    for (const t of txs) {
      const s = sessions.find((x) => x.chargerTransactionId === t.id)!;
      assert.equal(s.status, 'Completed');
      assert.equal(s.meterStart, t.startWh);
      assert.equal(s.energyWh, 6 * t.stepWh, `energy of ${t.id}`);
      assert.equal(s.connectorId, t.evse);
      assert.equal(s.startTime, events.find((e: any) => e.transactionInfo.transactionId === t.id && e.eventType === 'Started')!.timestamp);
      assert.deepEqual(s.missingSeqNos, []);
      assert.equal(outboxFor(s.transactionId).length, 1, 'one head-office record, whatever the repeats');
      assert.equal(rows(app, 'SELECT * FROM meter_values WHERE transaction_id = ?', s.transactionId).length, 7, 'each reading once');
    }
    assert.equal(row(app, 'SELECT count(*) AS n FROM transaction_events WHERE charge_point_id = ?', sid)?.n, 28);
    for (const t of txs) {
      const sessionId = sessions.find((x) => x.chargerTransactionId === t.id)!.transactionId;
      assert.equal(seen.filter(([n, e]) => n === 'transaction.started' && (e as any).transactionId === sessionId).length, 1, 'started told once');
      assert.equal(seen.filter(([n, e]) => n === 'transaction.stopped' && (e as any).transactionId === sessionId).length, 1, 'stopped told once');
    }
    await station.close();
  });

  test('an Ended event with a seqNo missing before it: the session ends but is incomplete (the gap reported, nothing sent to head office) until the missing event comes', async () => {
    const t = txId();
    for (const [seqNo, eventType, wh] of [
      [0, 'Started', 500],
      [1, 'Updated', 900],
      [3, 'Updated', 1700],
      [4, 'Ended', 2100],
    ] as const)
      await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo, eventType, wh, ...(seqNo === 0 && { evseId: 2 }) }));
    let s = (await sessionsOf(id)).find((x) => x.chargerTransactionId === t)!;
    assert.equal(s.status, 'Completed');
    assert.deepEqual(s.missingSeqNos, [2]);
    assert.equal(s.energyWh, 1600);
    assert.equal(outboxFor(s.transactionId).length, 0, 'not complete: not uploaded yet');
    await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 2, eventType: 'Updated', wh: 1300, offline: true }));
    s = (await sessionsOf(id)).find((x) => x.chargerTransactionId === t)!;
    assert.deepEqual(s.missingSeqNos, []);
    assert.equal(outboxFor(s.transactionId).length, 1, 'queued in the transaction that completed it');
    assert.equal(s.energyWh, 1600);
  });

  test('a session started on cable-in (no token yet) takes the token of its Authorized event; the token is then ConcurrentTx elsewhere', async () => {
    insertIdTag(app.db, { tagId: 'LATE-TOKEN' });
    const t = txId();
    const first = await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 0, eventType: 'Started', triggerReason: 'CablePluggedIn', wh: 0, evseId: 1, chargingState: 'EVConnected' }));
    assert.deepEqual(first, {}, 'no token, no idTokenInfo');
    assert.equal((await sessionsOf(id)).find((x) => x.chargerTransactionId === t)!.startAuthStatus, 'Pending');
    const auth = await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 1, eventType: 'Updated', triggerReason: 'Authorized', idToken: 'LATE-TOKEN', chargingState: 'Charging' }));
    assert.equal(auth.idTokenInfo.status, 'Accepted', 'its own session does not make it concurrent');
    const s = (await sessionsOf(id)).find((x) => x.chargerTransactionId === t)!;
    assert.deepEqual([s.idTag, s.startAuthStatus, s.status], ['LATE-TOKEN', 'Accepted', 'Active']);
    const other = await connectBooted201(app, cpid('OTHER'));
    assert.equal((await other.call('Authorize', { idToken: { idToken: 'LATE-TOKEN', type: 'ISO14443' } })).idTokenInfo.status, 'ConcurrentTx');
    await other.close();
    await cp.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 2, eventType: 'Ended', wh: 800 }));
    await waitFor(async () => (await sessionsOf(id)).find((x) => x.chargerTransactionId === t)!.energyWh === 800, 'ended with its energy');
  });

  test('the same transaction id on two stations is two sessions', async () => {
    const t = txId();
    const other = await connectBooted201(app, cpid('TWIN'));
    for (const station of [cp, other]) {
      await station.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 0, eventType: 'Started', wh: 0, evseId: 1 }));
      await station.call('TransactionEvent', txEvent({ transactionId: t, seqNo: 1, eventType: 'Ended', wh: 42 }));
    }
    assert.equal(row(app, 'SELECT count(*) AS n FROM transactions WHERE charger_transaction_id = ?', t)?.n, 2);
    await other.close();
  });
});

describe('issue 14: a station numbering seqNo across its transactions', () => {
  test('interleaved transactions numbered by one station-wide counter are complete without false gaps; a real gap is still reported', async () => {
    const app = await startTestApp();
    try {
      const sid = cpid('WIDE');
      const station = await connectBooted201(app, sid);
      const [a, b] = [txId(), txId()];
      // One counter for the station: 10 A Started, 11 B Started, 12 A Updated, 13 B Ended, 14 A Ended.
      const plan: Array<[string, number, 'Started' | 'Updated' | 'Ended', number]> = [
        [a, 10, 'Started', 0],
        [b, 11, 'Started', 100],
        [a, 12, 'Updated', 50],
        [b, 13, 'Ended', 300],
        [a, 14, 'Ended', 90],
      ];
      for (const [t, seqNo, eventType, wh] of plan)
        await station.call('TransactionEvent', txEvent({ transactionId: t, seqNo, eventType, wh, ...(eventType === 'Started' && { evseId: t === a ? 1 : 2 }) }));
      const items: ApiSession[] = (await (await app.api(`/api/sessions?station=${sid}`)).json()).items;
      assert.deepEqual(items.find((s) => s.chargerTransactionId === a)!.missingSeqNos, []);
      assert.deepEqual(items.find((s) => s.chargerTransactionId === b)!.missingSeqNos, []);
      const c = txId();
      await station.call('TransactionEvent', txEvent({ transactionId: c, seqNo: 20, eventType: 'Started', wh: 0, evseId: 1 }));
      await station.call('TransactionEvent', txEvent({ transactionId: c, seqNo: 22, eventType: 'Ended', wh: 10 }));
      const sc = ((await (await app.api(`/api/sessions?station=${sid}`)).json()).items as ApiSession[]).find((s) => s.chargerTransactionId === c)!;
      assert.deepEqual(sc.missingSeqNos, [21]);
      await station.close();
    } finally {
      await app.dispose();
    }
  });
});
