import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { assertJsonError } from './support.js';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app.dispose());

const post = (path: string, json: unknown) => app.api(path, { method: 'POST', json });
const postRaw = (path: string, body: string, contentType: string) =>
  fetch(app.httpBase + path, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': contentType }, body });

test('seed 001: POST /api/rfid creates a card (201) with the seed fields; GET /api/rfid/:tagId returns it', async () => {
  const res = await post('/api/rfid', { tagId: 'RFID_001', status: 'Active', validUntil: '2026-12-31T23:59:59Z' });
  assert.equal(res.status, 201);
  const card = (await res.json()) as any;
  assert.equal(card.tagId, 'RFID_001');
  assert.equal(card.status, 'Active');
  assert.equal(card.validUntil, '2026-12-31T23:59:59.000Z');
  assert.equal(card.parentIdTag, null);
  assert.ok(card.createdAt);

  const got = await app.api('/api/rfid/RFID_001');
  assert.equal(got.status, 200);
  assert.deepEqual(await got.json(), card);
});

test('seed 001: POST /api/rfid defaults to Active with no expiry, and takes parentIdTag and description', async () => {
  const res = await post('/api/rfid', { tagId: 'RFID_002', parentIdTag: 'FLEET_1', description: 'van 12' });
  assert.equal(res.status, 201);
  const card = (await res.json()) as any;
  assert.equal(card.status, 'Active');
  assert.equal(card.validUntil, null);
  assert.equal(card.parentIdTag, 'FLEET_1');
  assert.equal(card.description, 'van 12');
});

test('seed 001: GET /api/rfid lists every card', async () => {
  await post('/api/rfid', { tagId: 'RFID_LIST', status: 'Blocked' });
  const res = await app.api('/api/rfid');
  assert.equal(res.status, 200);
  const list = (await res.json()) as any[];
  assert.ok(Array.isArray(list));
  const tags = list.map((c) => c.tagId);
  for (const t of ['RFID_001', 'RFID_002', 'RFID_LIST']) assert.ok(tags.includes(t), t);
  assert.equal(list.find((c) => c.tagId === 'RFID_LIST').status, 'Blocked');
});

test('seed 001: GET /api/rfid/:tagId is a JSON 404 for an unknown card', async () => {
  await assertJsonError(await app.api('/api/rfid/NO_SUCH_TAG'), 404, 'tagId');
});

test('seed 001: POST /api/rfid with a missing tagId is a 400 naming the field', async () => {
  const body = await assertJsonError(await post('/api/rfid', { status: 'Active' }), 400, 'body.tagId');
  assert.match(body.error, /tagId.*required/);
  await assertJsonError(await post('/api/rfid', {}), 400, 'body.tagId');
});

test('seed 001: POST /api/rfid with a wrong type or value is a 400 naming the failing field', async () => {
  const cases: Array<[unknown, string, RegExp?]> = [
    [{ tagId: 123 }, 'body.tagId', /string/],
    [{ tagId: '' }, 'body.tagId'],
    [{ tagId: 'X'.repeat(21) }, 'body.tagId', /20/],
    [{ tagId: 'HAS SPACE' }, 'body.tagId'],
    [{ tagId: 'OK_1', status: 'Lost' }, 'body.status', /Active, Blocked/],
    [{ tagId: 'OK_1', status: 1 }, 'body.status'],
    [{ tagId: 'OK_1', validUntil: 'tomorrow' }, 'body.validUntil', /date-time/],
    [{ tagId: 'OK_1', validUntil: '2026-02-30T00:00:00Z' }, 'body.validUntil'],
    [{ tagId: 'OK_1', validUntil: 20261231 }, 'body.validUntil'],
    [{ tagId: 'OK_1', parentIdTag: 5 }, 'body.parentIdTag'],
    [{ tagId: 'OK_1', description: 'x'.repeat(201) }, 'body.description'],
    [{ tagId: 'OK_1', color: 'red' }, 'body.color', /not a known field/],
  ];
  for (const [json, field, msg] of cases) {
    const body = await assertJsonError(await post('/api/rfid', json), 400, field);
    if (msg) assert.match(body.error, msg, JSON.stringify(json));
  }
  await assertJsonError(await app.api('/api/rfid/OK_1'), 404, 'tagId');
});

test('seed 001: POST /api/rfid with a body that is not an object is a 400', async () => {
  for (const json of [[{ tagId: 'A' }], 'RFID', 42, null]) {
    await assertJsonError(await post('/api/rfid', json), 400);
  }
});

test('seed 001: POST /api/rfid for an existing tagId is a 409', async () => {
  assert.equal((await post('/api/rfid', { tagId: 'RFID_DUP' })).status, 201);
  await assertJsonError(await post('/api/rfid', { tagId: 'RFID_DUP', status: 'Blocked' }), 409, 'tagId');
  const card = (await (await app.api('/api/rfid/RFID_DUP')).json()) as any;
  assert.equal(card.status, 'Active', 'the existing card is unchanged');
});

test('seed 001: POST /api/rfid with a non-JSON content type is a 415', async () => {
  await assertJsonError(await postRaw('/api/rfid', JSON.stringify({ tagId: 'RFID_TXT' }), 'text/plain'), 415);
  await assertJsonError(await postRaw('/api/rfid', 'tagId=RFID_FORM', 'application/x-www-form-urlencoded'), 415);
  await assertJsonError(await app.api('/api/rfid/RFID_TXT'), 404);
  const ok = await postRaw('/api/rfid', JSON.stringify({ tagId: 'RFID_CHARSET' }), 'application/json; charset=utf-8');
  assert.equal(ok.status, 201);
});

test('seed 001: POST /api/rfid with invalid JSON is a 400', async () => {
  const body = await assertJsonError(await postRaw('/api/rfid', '{"tagId": "RFID_BAD",', 'application/json'), 400);
  assert.match(body.error, /JSON/);
});

/** Raw HTTP so the test sees exactly what the server does with an oversize upload. */
function postLarge(bytes: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(app.httpBase);
    const req = request(
      { host: url.hostname, port: url.port, path: '/api/rfid', method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

test('seed 001: a body larger than the limit is a JSON 413 (declared length)', async () => {
  const res = await postLarge(2 * 1024 * 1024, { 'content-length': String(2 * 1024 * 1024) });
  assert.equal(res.status, 413);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.match(JSON.parse(res.body).error, /larger than/);
});

test('seed 001: a chunked body that grows past the limit is a JSON 413', async () => {
  const res = await postLarge(2 * 1024 * 1024, { 'transfer-encoding': 'chunked' });
  assert.equal(res.status, 413);
  assert.match(JSON.parse(res.body).error, /larger than/);
  // The server is still fine afterwards.
  assert.equal((await app.api('/api/rfid')).status, 200);
});

test('seed 001: a body just under the limit is read normally (and then validated)', async () => {
  const res = await post('/api/rfid', { tagId: 'RFID_BIG', description: 'x'.repeat(900 * 1024) });
  await assertJsonError(res, 400, 'body.description');
});

test('seed 001: block and activate change the card status; unknown cards are 404', async () => {
  await post('/api/rfid', { tagId: 'RFID_BA' });
  let res = await app.api('/api/rfid/RFID_BA/block', { method: 'POST' });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as any).status, 'Blocked');
  assert.equal(((await (await app.api('/api/rfid/RFID_BA')).json()) as any).status, 'Blocked');
  // Blocking twice is fine.
  assert.equal((await app.api('/api/rfid/RFID_BA/block', { method: 'POST' })).status, 200);
  res = await app.api('/api/rfid/RFID_BA/activate', { method: 'POST' });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as any).status, 'Active');
  await assertJsonError(await app.api('/api/rfid/NO_SUCH_TAG/block', { method: 'POST' }), 404, 'tagId');
  await assertJsonError(await app.api('/api/rfid/NO_SUCH_TAG/activate', { method: 'POST' }), 404, 'tagId');
});

test('seed 001: block/activate are reflected at once in a charger Authorize (the offline local list)', async () => {
  await post('/api/rfid', { tagId: 'RFID_AUTH' });
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/CP_RFID`);
  try {
    await boot(cp);
    assert.equal((await cp.call('Authorize', { idTag: 'RFID_AUTH' })).idTagInfo.status, 'Accepted');
    assert.equal((await app.api('/api/rfid/RFID_AUTH/block', { method: 'POST' })).status, 200);
    assert.equal((await cp.call('Authorize', { idTag: 'RFID_AUTH' })).idTagInfo.status, 'Blocked');
    assert.equal((await app.api('/api/rfid/RFID_AUTH/activate', { method: 'POST' })).status, 200);
    assert.equal((await cp.call('Authorize', { idTag: 'RFID_AUTH' })).idTagInfo.status, 'Accepted');
    // A card created through the API with a past validUntil is Expired; an unknown one Invalid.
    await post('/api/rfid', { tagId: 'RFID_OLD', validUntil: '2020-01-01T00:00:00Z' });
    assert.equal((await cp.call('Authorize', { idTag: 'RFID_OLD' })).idTagInfo.status, 'Expired');
    assert.equal((await cp.call('Authorize', { idTag: 'RFID_NONE' })).idTagInfo.status, 'Invalid');
    // Created as Blocked through the API: Blocked.
    await post('/api/rfid', { tagId: 'RFID_BLK', status: 'Blocked' });
    assert.equal((await cp.call('Authorize', { idTag: 'RFID_BLK' })).idTagInfo.status, 'Blocked');
  } finally {
    await cp.close();
  }
});

test('seed 001: tag ids are matched exactly and URL-decoded in paths', async () => {
  await post('/api/rfid', { tagId: 'A/B#C' });
  const res = await app.api(`/api/rfid/${encodeURIComponent('A/B#C')}`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as any).tagId, 'A/B#C');
  assert.equal((await app.api(`/api/rfid/${encodeURIComponent('A/B#C')}/block`, { method: 'POST' })).status, 200);
});

test('issue 9: an RFID card carries maxConcurrentSessions (default 1, 0 = unlimited) through create, update and list, documented in OpenAPI', async () => {
  const plain = (await (await post('/api/rfid', { tagId: 'FLEET_DEF' })).json()) as any;
  assert.equal(plain.maxConcurrentSessions, 1);
  const fleet = await post('/api/rfid', { tagId: 'FLEET_TWO', maxConcurrentSessions: 2 });
  assert.equal(fleet.status, 201);
  assert.equal(((await fleet.json()) as any).maxConcurrentSessions, 2);
  const patched = await app.api('/api/rfid/FLEET_TWO', { method: 'PATCH', json: { maxConcurrentSessions: 0, description: 'vans' } });
  assert.equal(patched.status, 200);
  const card = (await patched.json()) as any;
  assert.equal(card.maxConcurrentSessions, 0);
  assert.equal(card.description, 'vans');
  const listed = ((await (await app.api('/api/rfid')).json()) as any[]).find((c) => c.tagId === 'FLEET_TWO');
  assert.equal(listed.maxConcurrentSessions, 0);
  for (const bad of [-1, 1.5, 'two']) {
    await assertJsonError(await post('/api/rfid', { tagId: 'FLEET_BAD', maxConcurrentSessions: bad }), 400, 'body.maxConcurrentSessions');
    await assertJsonError(await app.api('/api/rfid/FLEET_TWO', { method: 'PATCH', json: { maxConcurrentSessions: bad } }), 400, 'body.maxConcurrentSessions');
  }
  assert.equal((await app.api('/api/rfid/NO_SUCH_CARD', { method: 'PATCH', json: { status: 'Blocked' } })).status, 404);
  const doc = (await (await fetch(`${app.httpBase}/api/openapi.json`)).json()) as any;
  for (const [path, method] of [
    ['/api/rfid', 'post'],
    ['/api/rfid/{tagId}', 'patch'],
  ] as const) {
    const schema = doc.paths[path][method].requestBody.content['application/json'].schema;
    assert.equal(schema.properties.maxConcurrentSessions.minimum, 0, `${method} ${path} documents maxConcurrentSessions`);
  }
});

/** Starts a session on a fresh charger with `idTag`: the Authorize and StartTransaction answers. */
async function startOn(cpId: string, idTag: string, chargers: TestCharger[]): Promise<[string, string]> {
  const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${cpId}`);
  chargers.push(cp);
  await boot(cp);
  const auth = (await cp.call('Authorize', { idTag })).idTagInfo.status;
  const start = (await cp.call('StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: new Date().toISOString() })).idTagInfo.status;
  return [auth, start];
}

test('issue 9: a fleet card with maxConcurrentSessions 2 runs two sessions at once on two chargers; the third gets ConcurrentTx on Authorize and StartTransaction', async () => {
  await post('/api/rfid', { tagId: 'FLEET_2', maxConcurrentSessions: 2 });
  const chargers: TestCharger[] = [];
  try {
    assert.deepEqual(await startOn('FL2-A', 'FLEET_2', chargers), ['Accepted', 'Accepted']);
    assert.deepEqual(await startOn('FL2-B', 'FLEET_2', chargers), ['Accepted', 'Accepted']);
    // Still Accepted where one of its sessions runs: the driver may be stopping it.
    assert.equal((await chargers[0]!.call('Authorize', { idTag: 'FLEET_2' })).idTagInfo.status, 'Accepted');
    assert.deepEqual(await startOn('FL2-C', 'FLEET_2', chargers), ['ConcurrentTx', 'ConcurrentTx']);
  } finally {
    await Promise.all(chargers.map((c) => c.close()));
  }
});

test('issue 9: maxConcurrentSessions 0 is unlimited; the default 1 keeps one session at a time', async () => {
  await post('/api/rfid', { tagId: 'FLEET_0', maxConcurrentSessions: 0 });
  await post('/api/rfid', { tagId: 'SINGLE_1' });
  const chargers: TestCharger[] = [];
  try {
    for (const id of ['FL0-A', 'FL0-B', 'FL0-C']) assert.deepEqual(await startOn(id, 'FLEET_0', chargers), ['Accepted', 'Accepted'], id);
    assert.deepEqual(await startOn('S1-A', 'SINGLE_1', chargers), ['Accepted', 'Accepted']);
    assert.deepEqual(await startOn('S1-B', 'SINGLE_1', chargers), ['ConcurrentTx', 'ConcurrentTx']);
  } finally {
    await Promise.all(chargers.map((c) => c.close()));
  }
});
