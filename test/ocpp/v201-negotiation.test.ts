import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../main/auth/password.js';
import { WrongVersionError } from '../../main/ocpp/server.js';
import { negotiate } from '../../main/ocpp/versions.js';
import { insertCharger } from '../../main/store/queries/chargers.js';
import { boot, cpid, iso, startTestApp, type TestApp, TestCharger, upgradeStatus, waitFor } from './support.js';
import { boot201, connect201 } from './v201-support.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

test('issue 14: negotiate() takes the client order of preference, the ?version= hint when offered too, and nothing unspoken', () => {
  assert.equal(negotiate(['ocpp2.0.1', 'ocpp1.6'], null), '2.0.1');
  assert.equal(negotiate(['ocpp1.6', 'ocpp2.0.1'], null), '1.6');
  assert.equal(negotiate(['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'], null), '2.0.1', 'an unspoken first choice is skipped');
  assert.equal(negotiate(['ocpp2.0.1', 'ocpp1.6'], '1.6'), '1.6', 'the hint wins among offered ones');
  assert.equal(negotiate(['ocpp1.6'], '2.0.1'), '1.6', 'a hint the client does not offer is only a hint');
  assert.equal(negotiate(['ocpp2.1', 'OCPP1.6'], null), null, 'subprotocol tokens are exact');
});

describe('issue 14: OCPP 2.0.1 and 1.6 on the same URL forms', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ authMaxFailures: 1000 });
  });
  after(() => app.dispose());

  const charger = async (id: string) => (await (await app.api(`/api/charger/${encodeURIComponent(id)}`)).json()) as { ocppVersion: string | null };

  test('a client offering ocpp2.0.1 then ocpp1.6 gets ocpp2.0.1, speaks 2.0.1, and the charger shows ocppVersion 2.0.1', async () => {
    const id = cpid('NEG');
    const cp = await connect201(app, id, { protocols: ['ocpp2.0.1', 'ocpp1.6'] });
    assert.equal(cp.ws.protocol, 'ocpp2.0.1');
    assert.equal((await boot201(cp)).status, 'Accepted');
    assert.equal((await charger(id)).ocppVersion, '2.0.1');
    // A 1.6 BootNotification is not a valid 2.0.1 one.
    await assert.rejects(boot(cp), (e: { code?: string }) => e.code === 'OccurrenceConstraintViolation');
    await cp.close();
  });

  test('a client offering ocpp1.6 first gets ocpp1.6; reconnecting with 2.0.1 changes the recorded version', async () => {
    const id = cpid('NEG');
    const old = await TestCharger.connect(`${app.wsBase}/ocpp/${id}`, { protocols: ['ocpp1.6', 'ocpp2.0.1'] });
    assert.equal(old.ws.protocol, 'ocpp1.6');
    assert.equal((await boot(old)).status, 'Accepted');
    assert.equal((await charger(id)).ocppVersion, '1.6');
    await old.close();
    const cp = await connect201(app, id);
    assert.equal((await boot201(cp)).status, 'Accepted');
    await waitFor(async () => (await charger(id)).ocppVersion === '2.0.1', 'version recorded');
    await cp.close();
  });

  test('seed 003 ?version= is a hint: version=1.6 picks ocpp1.6 out of [ocpp2.0.1, ocpp1.6]; version=2.0.1 with no subprotocol offered speaks 2.0.1', async () => {
    const id = cpid('HINT');
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp?chargePointId=${id}&version=1.6`, { protocols: ['ocpp2.0.1', 'ocpp1.6'] });
    assert.equal(cp.ws.protocol, 'ocpp1.6');
    assert.equal((await boot(cp)).status, 'Accepted');
    await cp.close();
    const bare = await TestCharger.connect(`${app.wsBase}/ocpp?chargePointId=${id}&version=2.0.1`, { protocols: null });
    assert.equal((await boot201(bare)).status, 'Accepted');
    assert.equal((await charger(id)).ocppVersion, '2.0.1');
    await bare.close();
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp?chargePointId=${id}&version=2.1`, { protocols: ['ocpp2.0.1'] }), 400, '2.1 is not claimed');
  });

  test('security profile 1 for 2.0.1: basic-auth username = station id with its password; another username or password is refused 401', async () => {
    const id = cpid('SEC201');
    insertCharger(app.db, id, { passwordHash: await hashPassword('BasicAuthPassword-0123') });
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { protocols: ['ocpp2.0.1'], headers: basic('someone-else', 'BasicAuthPassword-0123') }), 401);
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { protocols: ['ocpp2.0.1'], headers: basic(id, 'wrong') }), 401);
    const cp = await connect201(app, id, { headers: basic(id, 'BasicAuthPassword-0123') });
    assert.equal((await boot201(cp)).status, 'Accepted');
    await cp.close();
  });

  test('commands go by version: callV201 reaches a 2.0.1 station, a 1.6 command to it fails with WrongVersionError (and the other way round)', async () => {
    const id201 = cpid('CMD201');
    const id16 = cpid('CMD16');
    const s201 = await connect201(app, id201);
    await boot201(s201);
    const s16 = await TestCharger.connect(`${app.wsBase}/ocpp/${id16}`);
    await boot(s16);
    s201.onCall = (action) => (action === 'Reset' ? { status: 'Accepted' } : {});
    assert.deepEqual(await app.ocpp.callV201(id201, 'Reset', { type: 'Immediate' }), { status: 'Accepted' });
    assert.equal(app.ocpp.versionOf(id201), '2.0.1');
    await assert.rejects(app.ocpp.call(id201, 'Reset', { type: 'Hard' }), WrongVersionError);
    await assert.rejects(app.ocpp.callV201(id16, 'Reset', { type: 'Immediate' }), WrongVersionError);
    await assert.rejects(app.ocpp.callV201(id201, 'Heartbeat' as never, {} as never), (e: { code?: string }) => e.code === 'NotSupported', 'only CSMS -> station messages');
    await Promise.all([s201.close(), s16.close()]);
  });

  test('OCPP-J 2.0.1 4.3 CALLERROR codes on a 2.0.1 socket: FormatViolation (1.6: FormationViolation), RpcFrameworkError for a non-RPC frame, MessageTypeNotSupported for type 6', async () => {
    const s201 = await connect201(app, cpid('ERR201'));
    const s16 = await TestCharger.connect(`${app.wsBase}/ocpp/${cpid('ERR16')}`);
    const extra201 = await s201.callRaw('Heartbeat', { extra: 1 });
    const extra16 = await s16.callRaw('Heartbeat', { extra: 1 });
    assert.equal(extra201[2], 'FormatViolation');
    assert.equal(extra16[2], 'FormationViolation');
    const bad = s201.next((f) => f[0] === 4 && f[1] === '-1');
    s201.sendRaw('not json');
    assert.equal((await bad)[2], 'RpcFrameworkError');
    const unknown = s201.next((f) => f[0] === 4 && f[1] === 'send-1');
    s201.sendRaw(JSON.stringify([6, 'send-1', 'NotifyPeriodicEventStream', { data: [], id: 1, pending: 0, basetime: iso() }]));
    assert.equal((await unknown)[2], 'MessageTypeNotSupported');
    await Promise.all([s201.close(), s16.close()]);
  });
});
