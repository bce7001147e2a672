/**
 * Issue 9 (review): the UI's types come from the OpenAPI document, so every route the UI calls
 * must publish its answer's schema; and Fastify serialises with those schemas, which leaves out
 * any property a schema does not name (fast-json-stringify) and coerces mistyped values. So each
 * route the UI calls is called here on a depot with real data (a charger with a session and
 * meter values, cards, circuits, a scan, a template, a parked sync record, a lockout), and its
 * answer must (1) equal what its handler returned, field for field, and (2) validate against
 * the document's schema for it.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../main/api/http-server.js';
import { webServer } from '../discovery/support.js';
import type { TestApp } from '../helpers/app.js';
import { TEST_TOKEN } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';
import { eventually, type HeadofficeHandle, runSessions, startEdge, startHo } from '../sync/support.js';

const RENDERER = fileURLToPath(new URL('../../renderer', import.meta.url));
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Operation = { responses: Record<string, { content?: { 'application/json'?: { schema?: Record<string, unknown> } } }> };
type Doc = { paths: Record<string, Record<string, Operation>> };

/** `METHOD /path/{param}` of every client call in renderer/ (a template path ends in `*`). */
function uiCalls(): Set<string> {
  const calls = new Set<string>();
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(RENDERER).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/client\.(GET|POST|PUT|PATCH|DELETE)\(\s*(['`])(\/api[^'`]*)\2/g)) calls.add(`${m[1]} ${m[3]!.replace(/\$\{.*$/, '*')}`);
  }
  return calls;
}

const successSchema = (doc: Doc, method: string, path: string) => {
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${path} is not in the OpenAPI document`);
  const answer = op.responses['200'] ?? op.responses['201'];
  return answer?.content?.['application/json']?.schema;
};

describe('issue 9 (review): API answers the UI reads are typed by the document and nothing is dropped', () => {
  let ho: HeadofficeHandle;
  let app: TestApp;
  let api: FastifyInstance;
  let doc: Doc;
  let handed: unknown;
  const chargers: TestCharger[] = [];
  const exercised = new Set<string>();
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats ships CommonJS with a default export that NodeNext sees as a namespace.
  (addFormatsImport as unknown as (a: Ajv) => Ajv)(ajv);

  before(async () => {
    ho = await startHo();
    app = await startEdge(ho.port, { authMaxFailures: 2, syncBackoffMaxMs: 3_600_000 });
    // The app's routes on an in-memory server, to see each handler's result before it is serialised.
    api = await createHttpServer({ routes: app.routes, version: 'test', log: app.log, authenticate: () => true, onUpgrade: () => undefined });
    api.addHook('preSerialization', async (_request, _reply, payload) => {
      handed = payload;
      return payload;
    });
    doc = (await api.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Doc;
  });
  after(async () => {
    for (const c of chargers) await c.close().catch(() => {});
    await api?.close();
    await app?.dispose();
    await ho?.dispose();
  });

  /** One call: answered 2xx, equal to what the handler returned, valid against the document. */
  async function call<T = any>(method: Method, path: string, url = path, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    handed = undefined;
    const res = await api.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined && { payload: JSON.stringify(body) }) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    const sent = res.json();
    assert.deepEqual(sent, JSON.parse(JSON.stringify(handed)), `${method} ${path}: the answer differs from what its handler returned (a field its response schema does not name, or a wrong type?)`);
    const schema = successSchema(doc, method, path);
    assert.ok(schema && Object.keys(schema).length, `${method} ${path} has no response schema`);
    const validate = ajv.compile(schema);
    assert.ok(validate(sent), `${method} ${path}: ${ajv.errorsText(validate.errors)}`);
    exercised.add(`${method} ${path}`);
    return sent as T;
  }
  const nonEmpty = (list: any[], what: string): any[] => {
    assert.ok(list.length > 0, `${what}: an empty list proves nothing of its items`);
    return list;
  };

  test('issue 9 (review): every route the UI calls publishes a response schema in /api/openapi.json', () => {
    const calls = uiCalls();
    assert.ok(calls.size > 40, `${calls.size} client calls found in renderer/`);
    for (const c of calls) {
      const [method, path] = c.split(' ') as [string, string];
      const paths = path.endsWith('*') ? Object.keys(doc.paths).filter((p) => p.startsWith(path.slice(0, -1))) : [path];
      assert.ok(paths.length, `${c}: no such route in the document`);
      for (const p of paths) {
        const schema = successSchema(doc, method, p);
        assert.ok(schema && Object.keys(schema).length, `${method} ${p} (called by the UI) has no response schema: its generated type is unknown`);
      }
    }
  });

  test('issue 9 (review): every route the UI calls answers what its handler returned, valid against the document', async () => {
    // The charger, with a card, a session, meter values and a status report.
    await call('POST', '/api/session', '/api/session', { token: TEST_TOKEN });
    const signedIn = await api.inject({ method: 'POST', url: '/api/session', payload: { token: TEST_TOKEN } });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    await call('GET', '/api/session', '/api/session', undefined, { cookie });
    await call('POST', '/api/charger', '/api/charger', {
      chargePointId: 'RESP-1',
      serialNumber: 'SN-1',
      vendor: 'Siemens',
      ratedAmps: 32,
      maximumAmps: 32,
      targetGroup: 'Depot-A',
      ipAddress: '127.0.0.1',
    });
    await call('PATCH', '/api/charger/{cpId}', '/api/charger/RESP-1', { description: 'Bay 1' });
    await call('POST', '/api/rfid', '/api/rfid', { tagId: 'RESP-TAG', validUntil: '2030-01-01T00:00:00Z', description: 'Fleet', maxConcurrentSessions: 2 });
    await call('POST', '/api/rfid', '/api/rfid', { tagId: 'RESP-GONE' });
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/RESP-1`);
    chargers.push(cp);
    cp.onCall = (action) =>
      ({
        GetConfiguration: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '60' }] },
        GetLocalListVersion: { listVersion: 0 },
        ClearCache: { status: 'Accepted' },
      })[action] ?? { status: 'Accepted' };
    await boot(cp);
    await cp.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError', timestamp: new Date().toISOString() });
    const { transactionId } = await cp.call('StartTransaction', { connectorId: 1, idTag: 'RESP-TAG', meterStart: 1000, timestamp: new Date().toISOString() });
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [
        {
          timestamp: new Date().toISOString(),
          sampledValue: [
            { value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
            { value: '16.5', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
          ],
        },
      ],
    });

    // Commands answered by the charger.
    for (const [command, body] of [
      ['get-configuration', {}],
      ['change-configuration', { key: 'HeartbeatInterval', value: '120' }],
      ['send-local-list', { updateType: 'Full' }],
      ['clear-cache', {}],
    ] as const) {
      await call('POST', `/api/admin/{cpId}/${command}`, `/api/admin/RESP-1/${command}`, body);
    }

    // Load management.
    await call('PUT', '/api/load/site', '/api/load/site', { limitAmps: 100, phases: 3 });
    const circuit = await call('POST', '/api/load/circuits', '/api/load/circuits', { name: 'Row A', limitAmps: 63, targetGroup: 'Depot-A' });
    await call('PATCH', '/api/load/circuits/{id}', `/api/load/circuits/${circuit.id}`, { limitAmps: 50 });
    nonEmpty(await call('GET', '/api/load/circuits'), 'circuits');
    await call('PUT', '/api/load/chargers/{cpId}', '/api/load/chargers/RESP-1', { priority: 5 });
    await call('PUT', '/api/load/tags/{idTag}', '/api/load/tags/RESP-TAG', { priority: 3 });
    nonEmpty(await call('GET', '/api/load/tags'), 'tag priorities');
    const load = await eventually(async () => {
      const s = await call('GET', '/api/load');
      return s.chargers.length && s.circuits.length && s;
    }, 'the charger and circuit in the load state');
    assert.equal(load.chargers[0].chargePointId, 'RESP-1');

    // Reads of the charger, its sessions and log.
    await call('GET', '/api/charger/{cpId}', '/api/charger/RESP-1');
    nonEmpty((await call('GET', '/api/ui/chargers', '/api/ui/chargers?limit=10')).items, 'charger page');
    await call('GET', '/api/ui/summary');
    // The message log is written in the background (a flush a second): wait for its rows.
    await waitFor(async () => ((await app.api('/api/ui/chargers/RESP-1/messages?limit=1')).json() as Promise<{ total: number }>).then((p) => p.total > 0), {
      timeoutMs: 5000,
      what: 'the message log flushed',
    });
    nonEmpty((await call('GET', '/api/ui/chargers/{cpId}/messages', '/api/ui/chargers/RESP-1/messages?limit=20')).items, 'message log');
    nonEmpty(await call('GET', '/api/ui/chargers/{cpId}/status-history', '/api/ui/chargers/RESP-1/status-history'), 'status history');
    nonEmpty(await call('GET', '/api/stations/connected/list'), 'connected chargers');
    nonEmpty((await call('GET', '/api/sessions', '/api/sessions?limit=10')).items, 'sessions');
    nonEmpty((await call('GET', '/api/sessions/station/{cpId}', '/api/sessions/station/RESP-1?status=Active')).items, 'station sessions');
    nonEmpty(await call('GET', '/api/sessions/{id}/meter-values', `/api/sessions/${transactionId}/meter-values`), 'meter values');
    nonEmpty(await call('GET', '/api/audit', '/api/audit?limit=10'), 'audit log');

    // Cards.
    await call('PATCH', '/api/rfid/{tagId}', '/api/rfid/RESP-TAG', { description: 'Fleet card', parentIdTag: 'RESP-GONE' });
    await call('POST', '/api/rfid/{tagId}/block', '/api/rfid/RESP-TAG/block');
    await call('POST', '/api/rfid/{tagId}/activate', '/api/rfid/RESP-TAG/activate');
    await call('POST', '/api/ui/rfid/import', '/api/ui/rfid/import', { csv: 'tagId,description\nRESP-CSV,ok\n,bad row', commit: false });
    await call('POST', '/api/ui/rfid/import', '/api/ui/rfid/import', { csv: 'tagId,description\nRESP-CSV,ok', commit: true });
    nonEmpty(await call('GET', '/api/rfid'), 'cards');
    await call('PATCH', '/api/rfid/{tagId}', '/api/rfid/RESP-TAG', { parentIdTag: null });
    await call('DELETE', '/api/rfid/{tagId}', '/api/rfid/RESP-GONE');

    // Discovery: a scan that finds one web server.
    const web = await webServer('127.0.96.1', 0, '<html><head><title>Wallbox &amp; Co</title></head></html>', 'lighttpd');
    try {
      await call('GET', '/api/discovery/defaults');
      const scan = await call('POST', '/api/discovery/scan', '/api/discovery/scan', { range: '127.0.96.0/30', ports: [web.port] });
      await eventually(async () => (await call('GET', '/api/discovery/scans/{id}', `/api/discovery/scans/${scan.id}`)).state === 'done', 'the scan to finish');
      await call('DELETE', '/api/discovery/scans/{id}', `/api/discovery/scans/${scan.id}`);
      nonEmpty(await call('GET', '/api/discovery/devices'), 'devices');
    } finally {
      await web.close();
    }

    // Provisioning: a charger created for it connects and is rebooted; a template.
    await call('PUT', '/api/provisioning/templates/{group}', '/api/provisioning/templates/Depot-B', { keys: { HeartbeatInterval: '300' }, sendLocalList: false });
    nonEmpty(await call('GET', '/api/provisioning/templates'), 'templates');
    await call('POST', '/api/provisioning/chargers', '/api/provisioning/chargers', { chargePointId: 'RESP-PROV', targetGroup: 'Depot-B', noPassword: true });
    const prov = await TestCharger.connect(`${app.wsBase}/ocpp/RESP-PROV`);
    chargers.push(prov);
    prov.onCall = () => ({ status: 'Accepted' });
    await boot(prov);
    await eventually(async () => (await call('GET', '/api/provisioning/{cpId}', '/api/provisioning/RESP-PROV')).steps.some((s: { step: string }) => s.step === 'boot'), 'the boot step');
    await call('POST', '/api/provisioning/{cpId}/reboot', '/api/provisioning/RESP-PROV/reboot');
    await call('DELETE', '/api/provisioning/templates/{group}', '/api/provisioning/templates/Depot-B');

    // Head-office sync: one record head office rejects is parked, retried, parked again, dismissed.
    await ho.setFaults({ rejectAuthIds: ['HO-REJECT'] });
    await runSessions(app.wsBase, { chargers: 1, perCharger: 1, prefix: 'RESP-SYNC', idTag: () => 'HO-REJECT' });
    await call('POST', '/api/sync/run');
    const parked = nonEmpty(await call('GET', '/api/sync/parked'), 'parked records');
    await call('POST', '/api/sync/parked/{id}/retry', `/api/sync/parked/${parked[0].id}/retry`);
    await call('POST', '/api/sync/run');
    await call('POST', '/api/sync/parked/{id}/dismiss', `/api/sync/parked/${parked[0].id}/dismiss`);
    await call('GET', '/api/sync');

    // Operations: backups, settings, security, lockouts (two wrong passwords from another address).
    await call('POST', '/api/backups');
    nonEmpty(await call('GET', '/api/backups'), 'backups');
    nonEmpty(await call('GET', '/api/ui/settings'), 'settings');
    nonEmpty((await call('GET', '/api/security/warnings')).passwordless, 'passwordless chargers');
    await call('PATCH', '/api/charger/{cpId}', '/api/charger/RESP-PROV', { password: 'a-strong-password-1' });
    const basic = `Basic ${Buffer.from('RESP-PROV:wrong-password-00').toString('base64')}`;
    for (let i = 0; i < 2; i++) await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/RESP-PROV`, { headers: { authorization: basic }, localAddress: '127.0.0.77' }));
    const lockouts = nonEmpty(await call('GET', '/api/security/lockouts'), 'lockouts');
    const address = lockouts.find((l: { kind: string }) => l.kind === 'address');
    await call('DELETE', '/api/security/lockouts/{kind}/{key}', `/api/security/lockouts/address/${address.key}`);

    // A timestamp as a lenient charger's firmware may have had it stored still serialises (no 500 for the whole list).
    app.db.prepare("UPDATE chargers SET last_seen = '2026-12-02 10:00:00' WHERE charge_point_id = 'RESP-1'").run();
    assert.ok((await call('GET', '/api/ui/chargers', '/api/ui/chargers?q=RESP-1')).items.some((c: { lastSeen: string }) => c.lastSeen === '2026-12-02 10:00:00'));

    // Last: what ends things.
    await call('DELETE', '/api/load/circuits/{id}', `/api/load/circuits/${circuit.id}`);
    await call('POST', '/api/token/rotate');
    await call('DELETE', '/api/session', '/api/session', undefined, { cookie });

    // Every route the UI calls was called here.
    const missing = [...uiCalls()].filter((c) => (c.endsWith('*') ? ![...exercised].some((e) => e.startsWith(c.slice(0, -1))) : !exercised.has(c)));
    assert.deepEqual(missing, [], 'routes the UI calls that this test does not check');
  });
});
