import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { repoRoot } from '../sim/service.js';
import { eventually, outboxDrained, runSessions, startEdge, startHo } from './support.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const doc = JSON.parse(readFileSync(`${repoRoot}/resources/headoffice-openapi.json`, 'utf8'));
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
ajv.addSchema(doc, 'contract');

function check(schema: string, value: unknown, what: string): void {
  const validate = ajv.getSchema(`contract#/components/schemas/${schema}`)!;
  assert.ok(validate(value), `${what} does not match ${schema}: ${ajv.errorsText(validate.errors)}`);
}

test("issue 10: the contract's examples match its schemas", () => {
  const ops = doc.paths;
  check('SessionRecord', ops['/v1/sessions'].post.requestBody.content['application/json'].example.records[0], 'the sessions example');
  check('SnapshotRecord', ops['/v1/snapshots'].post.requestBody.content['application/json'].example.records[0], 'the snapshots example');
  check('BatchResults', ops['/v1/sessions'].post.responses['200'].content['application/json'].example, 'the results example');
  check('DayManifest', ops['/v1/manifests'].post.requestBody.content['application/json'].example.days[0], 'the manifest example');
  check('AuthList', ops['/v1/auth-list'].get.responses['200'].content['application/json'].example, 'the auth list example');
});

test('issue 10: what the edge sends and the reference head office answers follow the contract', async () => {
  const ho = await startHo();
  await ho.call('PUT', '/v1/auth-list/tags/C-1', { status: 'Active', valid_until: '2030-01-01T00:00:00Z' });
  const app = await startEdge(ho.port);
  try {
    await runSessions(app.wsBase, { chargers: 1, perCharger: 2, prefix: 'CONTRACT' });
    await eventually(() => outboxDrained(app), 'the outbox to drain');
    const sessions = await ho.call('GET', '/v1/sessions');
    assert.equal(sessions.length, 2);
    for (const s of sessions) check('SessionRecord', s, 'a session record the edge sent');
    // An alert worth reporting travels with the snapshots.
    app.events.emit('alert', { kind: 'backup', message: 'backup failed: disk full', at: new Date().toISOString() });
    app.events.emit('security.lockout', { kind: 'address', key: '127.0.0.9', until: new Date().toISOString(), failures: 5 });
    await eventually(async () => (await ho.summary()).alerts === 2, 'the alerts at head office');
    for (const { payload } of ho.db.prepare('SELECT payload FROM snapshots').all() as Array<{ payload: string }>) check('SnapshotRecord', JSON.parse(payload), 'a snapshot the edge sent');
    check('BatchResults', await ho.call('POST', '/v1/sessions', { records: sessions }), 'the answer to a batch');
    const run = await (await app.api('/api/sync/run', { method: 'POST' })).json();
    assert.equal(run.ok, true, JSON.stringify(run.errors));
    check('AuthList', await ho.call('GET', '/v1/auth-list'), 'the auth list');
    const manifest = (await ho.call('GET', '/v1/manifests')) as Array<{ expected: unknown }>;
    for (const m of manifest) check('ManifestCheck', m, 'a manifest check');
    for (const { payload } of ho.db.prepare('SELECT payload FROM manifests').all() as Array<{ payload: string }>) check('DayManifest', JSON.parse(payload), 'a day manifest the edge sent');
  } finally {
    await app.dispose();
    await ho.dispose();
  }
});
