/**
 * Issue 3 acceptance for SendLocalList against a SimCharger over loopback: Full then
 * Differential (after adding, blocking, expiring and deleting cards through REST) leaves the
 * charger's list equal to the local RFID table, GetLocalListVersion matches the version we
 * track, diverged versions end in a Full update, and large tables are split to the charger's
 * SendLocalListMaxLength (LocalAuthListMaxLength is the total cap).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OcppValidator } from '../../main/ocpp/validator.js';
import { saveConfiguration } from '../../main/store/queries/charger-config.js';
import { deleteIdTag, insertIdTag } from '../../main/store/queries/id-tags.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';
import { type IdTagInfo, SimCharger, type SimChargerOptions } from '../sim/charger.js';

const validator = new OcppValidator();

interface Ctx {
  app: TestApp;
  /** A connected, booted simulator (closed after the test). */
  sim(id: string, o?: Partial<SimChargerOptions>): Promise<SimCharger>;
}

async function withApp(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const app = await startTestApp({ callTimeoutMs: 3000 });
  const sims: SimCharger[] = [];
  try {
    await fn({
      app,
      sim: async (id, o = {}) => {
        const sim = new SimCharger({ id, url: `${app.wsBase}/ocpp`, backoffInitialMs: 50, backoffMaxMs: 300, callTimeoutMs: 5000, ...o });
        sims.push(sim);
        sim.start();
        await sim.waitFor(() => sim.isOnline && (sim.acks.StatusNotification ?? 0) >= sim.connectorCount + 1, 5000, 'boot and status');
        return sim;
      },
    });
    for (const sim of sims) {
      for (const r of sim.received) assert.doesNotThrow(() => validator.check(`${r.action}.req`, r.payload), `${r.action} sent to ${sim.id} is schema-valid`);
      assert.deepEqual(sim.errors, [], `${sim.id} recorded no protocol errors`);
    }
  } finally {
    await Promise.all(sims.map((s) => s.close()));
    await app.dispose();
  }
}

const post = async (app: TestApp, path: string, json: unknown = {}) => {
  const r = await app.api(path, { method: 'POST', json });
  return { status: r.status, body: (await r.json()) as any };
};
const sync = (app: TestApp, cp: string, updateType: 'Full' | 'Differential') => post(app, `/api/admin/${cp}/send-local-list`, { updateType });
const cards = async (app: TestApp) => (await (await app.api('/api/rfid')).json()) as any[];
const addCard = async (app: TestApp, tagId: string, extra: object = {}) => assert.equal((await post(app, '/api/rfid', { tagId, ...extra })).status, 201, `card ${tagId} created`);

/** Adds cards through REST. */
async function addCards(app: TestApp, tags: string[]): Promise<void> {
  await Promise.all(tags.map((t) => addCard(app, t)));
}
/** Bulk cards for the size tests, straight into the RFID table (hundreds of REST calls would only add time). */
function bulkAdd(app: TestApp, tags: string[]): void {
  app.db.transaction(() => {
    for (const tagId of tags) insertIdTag(app.db, { tagId });
  })();
}
function bulkDelete(app: TestApp, tags: string[]): void {
  app.db.transaction(() => {
    for (const tagId of tags) assert.ok(deleteIdTag(app.db, tagId));
  })();
}
const tagsFrom = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${String(from + i).padStart(4, '0')}`);

/** The local list the RFID table stands for: Active -> Accepted, Blocked, past validUntil -> Expired. */
function listOf(table: any[], now = Date.now()): Record<string, IdTagInfo> {
  return Object.fromEntries(
    table.map((c) => [
      c.tagId,
      {
        status: c.status === 'Blocked' ? 'Blocked' : c.validUntil && Date.parse(c.validUntil) <= now ? 'Expired' : 'Accepted',
        ...(c.validUntil && { expiryDate: c.validUntil }),
        ...(c.parentIdTag && { parentIdTag: c.parentIdTag }),
      },
    ]),
  );
}

/** An entry as the charger decides with it now: Accepted past its expiryDate counts as Expired. */
function effective(list: Record<string, IdTagInfo>, now: number): Record<string, IdTagInfo> {
  return Object.fromEntries(
    Object.entries(list).map(([tag, info]) => [tag, info.status === 'Accepted' && info.expiryDate && Date.parse(info.expiryDate) <= now ? { ...info, status: 'Expired' } : info]),
  );
}

/** The charger's list equals the RFID table; its version is ours (REST GetLocalListVersion and the charger view). */
async function assertInSync(app: TestApp, sim: SimCharger): Promise<void> {
  const now = Date.now();
  assert.deepEqual(effective(sim.localList, now), listOf(await cards(app), now), "the charger's list equals the RFID table");
  const v = await post(app, `/api/admin/${sim.id}/get-local-list-version`);
  assert.equal(v.body.response.listVersion, sim.localListVersion);
  assert.equal(v.body.expectedVersion, sim.localListVersion, 'the version we track is the one the charger holds');
  assert.equal(v.body.inSync, true);
  const charger = (await (await app.api(`/api/charger/${sim.id}`)).json()) as any;
  assert.equal(charger.localList.version, sim.localListVersion);
  assert.deepEqual(
    Object.fromEntries(
      charger.localList.entries.map((e: any) => [e.idTag, { status: e.status, ...(e.expiryDate && { expiryDate: e.expiryDate }), ...(e.parentIdTag && { parentIdTag: e.parentIdTag }) }]),
    ),
    sim.localList,
    'what we recorded as sent is what the charger holds',
  );
}

const sendLocalLists = (sim: SimCharger) => sim.received.filter((r) => r.action === 'SendLocalList').map((r) => ({ ...(r.payload as any), answer: (r.response as any)?.status }));

test('SendLocalList Full then Differential (after adding, blocking, expiring and deleting cards through REST) leaves the charger list equal to the RFID table; GetLocalListVersion matches', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-ACCEPT');
    const soon = new Date(Date.now() + 1500).toISOString();
    const later = new Date(Date.now() + 86_400_000).toISOString();
    await addCard(app, 'CARD-A');
    await addCard(app, 'CARD-B', { validUntil: later, parentIdTag: 'FLEET-1' });
    await addCard(app, 'CARD-C');
    await addCard(app, 'CARD-D');
    await addCard(app, 'CARD-E', { validUntil: soon });
    await addCard(app, 'CARD-X', { status: 'Blocked' });

    const full = await sync(app, sim.id, 'Full');
    assert.equal(full.status, 200, JSON.stringify(full.body));
    assert.equal(full.body.response.status, 'Accepted');
    assert.equal(full.body.updateType, 'Full');
    assert.equal(full.body.listVersion, 1);
    assert.deepEqual(sim.localList, {
      'CARD-A': { status: 'Accepted' },
      'CARD-B': { status: 'Accepted', expiryDate: later, parentIdTag: 'FLEET-1' },
      'CARD-C': { status: 'Accepted' },
      'CARD-D': { status: 'Accepted' },
      'CARD-E': { status: 'Accepted', expiryDate: soon },
      'CARD-X': { status: 'Blocked' },
    });
    await assertInSync(app, sim);

    // Add, block, delete (DELETE /api/rfid/:tagId), and let CARD-E expire.
    await addCard(app, 'CARD-F', { parentIdTag: 'FLEET-1' });
    assert.equal((await post(app, '/api/rfid/CARD-C/block')).status, 200);
    assert.equal((await post(app, '/api/rfid/CARD-X/activate')).status, 200);
    const del = await app.api('/api/rfid/CARD-D', { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), { tagId: 'CARD-D', deleted: true });
    assert.equal((await app.api('/api/rfid/CARD-D')).status, 404);
    assert.equal((await app.api('/api/rfid/CARD-D', { method: 'DELETE' })).status, 404, 'deleting an unknown card is a 404');
    await waitFor(() => Date.now() > Date.parse(soon), { timeoutMs: 5000, what: `the clock to pass ${soon} (the card's expiry)` });

    const diff = await sync(app, sim.id, 'Differential');
    assert.equal(diff.status, 200, JSON.stringify(diff.body));
    assert.equal(diff.body.response.status, 'Accepted');
    assert.equal(diff.body.updateType, 'Differential');
    assert.equal(diff.body.listVersion, 2);
    const sent = sendLocalLists(sim).at(-1)!;
    assert.equal(sent.updateType, 'Differential');
    assert.equal(sent.listVersion, 2);
    assert.deepEqual(
      Object.fromEntries(sent.localAuthorizationList.map((a: any) => [a.idTag, a.idTagInfo ?? 'removed'])),
      {
        'CARD-C': { status: 'Blocked' },
        'CARD-D': 'removed',
        'CARD-E': { status: 'Expired', expiryDate: soon },
        'CARD-F': { status: 'Accepted', parentIdTag: 'FLEET-1' },
        'CARD-X': { status: 'Accepted' },
      },
      'only the changes are sent',
    );
    assert.deepEqual(sim.localList, {
      'CARD-A': { status: 'Accepted' },
      'CARD-B': { status: 'Accepted', expiryDate: later, parentIdTag: 'FLEET-1' },
      'CARD-C': { status: 'Blocked' },
      'CARD-E': { status: 'Expired', expiryDate: soon },
      'CARD-F': { status: 'Accepted', parentIdTag: 'FLEET-1' },
      'CARD-X': { status: 'Accepted' },
    });
    await assertInSync(app, sim);

    // Nothing changed: a Differential sends an empty list and the charger stays equal.
    const none = await sync(app, sim.id, 'Differential');
    assert.equal(none.body.response.status, 'Accepted');
    assert.deepEqual(sendLocalLists(sim).at(-1)!.localAuthorizationList, []);
    await assertInSync(app, sim);
  }));

test('SendLocalList: a list loaded on the charger behind our back (higher version) is replaced by a Full update when a Differential is asked for', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-DIVERGED');
    await addCards(app, ['T-1', 'T-2', 'T-3']);
    assert.equal((await sync(app, sim.id, 'Full')).body.response.status, 'Accepted');
    // E.g. a tool or the charger's own web page loads a list: not through this central system.
    await app.ocpp.call(sim.id, 'SendLocalList', { listVersion: 77, updateType: 'Full', localAuthorizationList: [{ idTag: 'STRANGER', idTagInfo: { status: 'Accepted' } }] });
    assert.equal(sim.localListVersion, 77);
    await addCard(app, 'T-4');

    const r = await sync(app, sim.id, 'Differential');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.response.status, 'Accepted');
    assert.equal(r.body.updateType, 'Full');
    assert.match(r.body.fullBecause, /holds list version 77, not 1/);
    assert.equal(sendLocalLists(sim).at(-1)!.updateType, 'Full');
    assert.equal(r.body.listVersion, 78, 'the Full goes above the version the charger held');
    assert.equal(sim.localList.STRANGER, undefined);
    await assertInSync(app, sim);
  }));

test('SendLocalList VersionMismatch recovery: when the charger answers a Differential with VersionMismatch, we read its version and a Full update leaves the lists equal', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-MISMATCH');
    await addCards(app, ['M-1', 'M-2']);
    assert.equal((await sync(app, sim.id, 'Full')).body.response.status, 'Accepted');
    await addCard(app, 'M-3');
    // Right after the charger answered our version check, someone else loads version 50:
    // our Differential (version 2) then meets a charger at 50.
    let raced = false;
    sim.on('call', (c: { action: string }) => {
      if (c.action !== 'GetLocalListVersion' || raced) return;
      raced = true;
      void app.ocpp.call(sim.id, 'SendLocalList', { listVersion: 50, updateType: 'Full', localAuthorizationList: [] });
    });
    const r = await sync(app, sim.id, 'Differential');
    assert.ok(raced);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.recoveredFrom, 'VersionMismatch');
    assert.equal(r.body.updateType, 'Full');
    assert.equal(r.body.response.status, 'Accepted');
    assert.deepEqual(
      r.body.parts.map((p: any) => [p.updateType, p.listVersion, p.status]),
      [
        ['Differential', 2, 'VersionMismatch'],
        ['Full', 51, 'Accepted'],
      ],
    );
    assert.deepEqual(
      sendLocalLists(sim).map((s) => [s.updateType, s.listVersion, s.answer]),
      [
        ['Full', 1, 'Accepted'],
        ['Full', 50, 'Accepted'],
        ['Differential', 2, 'VersionMismatch'],
        ['Full', 51, 'Accepted'],
      ],
    );
    await assertInSync(app, sim);
  }));

test('SendLocalList: a replaced or reset charger (empty list, version 0) gets a Full update when a Differential is asked for, not changes against a list it no longer has', () =>
  withApp(async ({ app, sim: connect }) => {
    const first = await connect('LL-REPLACED');
    await addCards(app, ['R-1', 'R-2', 'R-3']);
    assert.equal((await sync(app, first.id, 'Full')).body.response.status, 'Accepted');
    await first.close();
    const replacement = await connect('LL-REPLACED');
    assert.equal(replacement.localListVersion, 0);
    await addCard(app, 'R-4');
    const r = await sync(app, replacement.id, 'Differential');
    assert.equal(r.body.response.status, 'Accepted');
    assert.equal(r.body.updateType, 'Full');
    assert.deepEqual(Object.keys(replacement.localList).sort(), ['R-1', 'R-2', 'R-3', 'R-4']);
    await assertInSync(app, replacement);
  }));

test('SendLocalList with 600 cards to a charger taking 500 per message (SendLocalListMaxLength): a Full of 500 then a Differential of 100, each with a new version; the charger holds all 600', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-SPLIT');
    const tags = tagsFrom('BULK-', 600);
    bulkAdd(app, tags);
    const r = await sync(app, sim.id, 'Full');
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
    assert.equal(r.body.response.status, 'Accepted');
    // The limits were unknown: read from the charger (and now in the configuration snapshot).
    const getConf = sim.received.filter((c) => c.action === 'GetConfiguration');
    assert.deepEqual(
      getConf.map((c) => c.payload),
      [{ key: ['SendLocalListMaxLength', 'LocalAuthListMaxLength'] }],
    );
    assert.deepEqual(r.body.limits, { sendLocalListMaxLength: 500, localAuthListMaxLength: 10000 });
    assert.deepEqual(
      sendLocalLists(sim).map((s) => [s.updateType, s.listVersion, s.localAuthorizationList.length, s.answer]),
      [
        ['Full', 1, 500, 'Accepted'],
        ['Differential', 2, 100, 'Accepted'],
      ],
    );
    assert.equal(r.body.messages, 2);
    assert.equal(r.body.listVersion, 2);
    assert.equal(Object.keys(sim.localList).length, 600);
    await assertInSync(app, sim);

    // A Differential with more than 500 changes is split too; the limits come from the snapshot now.
    bulkDelete(app, tags.slice(0, 300));
    bulkAdd(app, tagsFrom('MORE-', 300));
    const d = await sync(app, sim.id, 'Differential');
    assert.equal(d.body.response.status, 'Accepted');
    assert.deepEqual(
      sendLocalLists(sim)
        .slice(2)
        .map((s) => [s.updateType, s.listVersion, s.localAuthorizationList.length, s.answer]),
      [
        ['Differential', 3, 500, 'Accepted'],
        ['Differential', 4, 100, 'Accepted'],
      ],
    );
    assert.equal(sim.received.filter((c) => c.action === 'GetConfiguration').length, 1, 'limits read once');
    assert.equal(Object.keys(sim.localList).length, 600);
    await assertInSync(app, sim);
  }));

test('SendLocalList Differential chunks send removals first, so a charger at its LocalAuthListMaxLength never overflows on the way', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-CAP-WAY', { config: { SendLocalListMaxLength: '100', LocalAuthListMaxLength: '300' } });
    const tags = tagsFrom('CAP-', 300);
    bulkAdd(app, tags);
    const full = await sync(app, sim.id, 'Full');
    assert.equal(full.body.response.status, 'Accepted');
    assert.equal(full.body.messages, 3);
    bulkDelete(app, tags.slice(0, 100));
    bulkAdd(app, tagsFrom('NEW-', 100));
    const d = await sync(app, sim.id, 'Differential');
    assert.equal(d.body.response.status, 'Accepted', JSON.stringify(d.body.parts));
    const [removals, additions] = sendLocalLists(sim).slice(3);
    assert.ok(
      removals.localAuthorizationList.every((a: any) => !a.idTagInfo),
      'first chunk: the removals',
    );
    assert.ok(
      additions.localAuthorizationList.every((a: any) => a.idTagInfo),
      'then the additions',
    );
    await assertInSync(app, sim);
  }));

test('SendLocalList refuses a table larger than the charger LocalAuthListMaxLength with a clear 400 (how many do not fit), sending nothing', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-TOO-BIG', { config: { LocalAuthListMaxLength: '550' } });
    bulkAdd(app, tagsFrom('BIG-', 600));
    for (const updateType of ['Full', 'Differential'] as const) {
      const r = await sync(app, sim.id, updateType);
      assert.equal(r.status, 400);
      assert.match(r.body.error, /600 cards but LL-TOO-BIG holds at most 550 \(LocalAuthListMaxLength\): 50 would not fit; nothing was sent/);
      assert.equal(r.body.field, 'localAuthorizationList');
    }
    assert.deepEqual(sendLocalLists(sim), [], 'no SendLocalList reached the charger');
    const audit = ((await (await app.api(`/api/audit?station=${sim.id}`)).json()) as any[]).filter((a) => a.action === 'SendLocalList');
    assert.equal(audit.length, 2, 'each refusal is in the audit log');
    assert.equal(audit[0].ok, false);
    assert.match(audit[0].error, /50 would not fit/);
    assert.equal(audit[0].payload.cards, 600);
    assert.equal(sim.localListVersion, 0);
  }));

test('issue 8: SendLocalList Full of 1,001 cards to a charger that does not report SendLocalListMaxLength asks it first, then sends a Full of 100 and Differentials of at most 100 (never one 57 KB frame)', async () => {
  const app = await startTestApp({ callTimeoutMs: 2000 });
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/LL-NOLIMIT`);
  try {
    await boot(cp);
    const got: any[] = [];
    const frames: number[] = [];
    cp.onCall = (action, p) => {
      got.push([action, p]);
      if (action === 'GetConfiguration') return { configurationKey: [], unknownKey: p.key };
      if (action === 'SendLocalList') return { status: 'Accepted' };
      return {};
    };
    cp.ws.on('message', (data: Buffer) => frames.push(data.length));
    bulkAdd(app, tagsFrom('NL-', 1001));
    const r = await sync(app, 'LL-NOLIMIT', 'Full');
    assert.equal(r.body.response.status, 'Accepted');
    assert.deepEqual(r.body.limits, { sendLocalListMaxLength: null, localAuthListMaxLength: null });
    assert.equal(r.body.entriesPerMessage, 100);
    assert.deepEqual(got[0], ['GetConfiguration', { key: ['SendLocalListMaxLength', 'LocalAuthListMaxLength'] }], 'the charger is asked first');
    const lists = got.filter(([a]) => a === 'SendLocalList').map(([, p]) => p);
    assert.deepEqual(
      lists.map((l) => l.updateType),
      ['Full', ...Array(10).fill('Differential')],
    );
    assert.deepEqual(
      lists.map((l) => l.localAuthorizationList.length),
      [...Array(10).fill(100), 1],
    );
    assert.deepEqual(
      lists.map((l) => l.listVersion),
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
    assert.equal(new Set(lists.flatMap((l) => l.localAuthorizationList.map((e: any) => e.idTag))).size, 1001, 'every card sent once');
    assert.ok(Math.max(...frames) < 8 * 1024, `largest frame ${Math.max(...frames)} bytes`);
    assert.equal(r.body.listVersion, 11);
  } finally {
    await cp.close();
    await app.dispose();
  }
});

test('SendLocalList stops at the first chunk the charger does not accept and reports it; the store keeps what was accepted', () =>
  withApp(async ({ app, sim: connect }) => {
    // The charger claims 100 per message but its list holds only 150: the second Differential chunk fails.
    const sim = await connect('LL-PARTIAL', { config: { SendLocalListMaxLength: '100', LocalAuthListMaxLength: '150' } });
    // Our snapshot is stale (says 1000 in total): the charger's own answer decides.
    saveConfiguration(
      app.db,
      sim.id,
      [
        { key: 'SendLocalListMaxLength', value: '100', readonly: true },
        { key: 'LocalAuthListMaxLength', value: '1000', readonly: true },
      ],
      false,
      new Date().toISOString(),
    );
    bulkAdd(app, tagsFrom('P-', 250));
    const r = await sync(app, sim.id, 'Full');
    assert.equal(r.status, 200);
    assert.equal(r.body.response.status, 'Failed');
    assert.deepEqual(
      r.body.parts.map((p: any) => [p.updateType, p.listVersion, p.entries, p.status]),
      [
        ['Full', 1, 100, 'Accepted'],
        ['Differential', 2, 100, 'Failed'],
      ],
    );
    const charger = (await (await app.api(`/api/charger/${sim.id}`)).json()) as any;
    assert.equal(charger.localList.version, 1);
    assert.equal(charger.localList.entries.length, 100);
    assert.equal(sim.localListVersion, 1);
  }));

test('SendLocalList sends expiryDate as a full date-time even when the table holds a date-only validUntil (not written by the REST API)', () =>
  withApp(async ({ app, sim: connect }) => {
    const sim = await connect('LL-DATEONLY');
    insertIdTag(app.db, { tagId: 'DATE-ONLY', validUntil: '2031-01-01', parentIdTag: 'FLEET-9' });
    const r = await sync(app, sim.id, 'Full');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.response.status, 'Accepted');
    assert.deepEqual(sim.localList['DATE-ONLY'], { status: 'Accepted', expiryDate: '2031-01-01T00:00:00.000Z', parentIdTag: 'FLEET-9' });
    // Unchanged since: the next Differential has nothing to send.
    const d = await sync(app, sim.id, 'Differential');
    assert.deepEqual(sendLocalLists(sim).at(-1)!.localAuthorizationList, []);
    assert.equal(d.body.response.status, 'Accepted');
  }));
