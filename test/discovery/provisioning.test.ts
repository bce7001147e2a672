/**
 * Issue 11, provisioning: a charger created with the seed fields and a generated password,
 * the settings to type into it (URL on the right address, OCPP 1.6-J, password once,
 * heartbeat, QR text), then the simulator connected with exactly those settings: connected,
 * BootNotification accepted, each connector's status, the target group's template applied
 * key by key through ChangeConfiguration with each result, then the local list sent, every
 * step recorded and on the event stream. A RebootRequired answer offers a reboot.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_CHARGERS } from '../../main/store/demo-data.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { TestCharger } from '../helpers/ocpp-client.js';
import { SimCharger } from '../sim/charger.js';
import { waitFor } from './support.js';

const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as any });
const api = async (app: TestApp, path: string, method = 'GET', body?: unknown) => json(await app.api(path, { method, ...(body !== undefined && { json: body }) }));
const applied = (app: TestApp, cp: string) =>
  waitFor(async () => {
    const p = (await api(app, `/api/provisioning/${cp}`)).body;
    return p.templateAppliedAt && p;
  }, `template applied to ${cp}`);

// Seed 004's Siemens record, at a loopback address: the URL it is told must use 127.0.0.1.
const { chargePointId: _id, description: _description, ...seed } = DEMO_CHARGERS.find((c) => c.chargePointId === 'JAAL34S021')!;
const SIEMENS = { ...seed, ipAddress: '127.0.96.143' };

test('issue 11: provision a charger, connect the simulator with the shown URL and password, see each step, the template applied and the local list sent', async () => {
  const app = await startTestApp({ callTimeoutMs: 5000 });
  let sim: SimCharger | null = null;
  try {
    const steps: any[] = [];
    app.events.on('provisioning.step', (s) => steps.push(s));
    const template = await api(app, '/api/provisioning/templates/Production', 'PUT', {
      keys: {
        HeartbeatInterval: '30',
        MeterValueSampleInterval: '15',
        MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import',
        LocalAuthorizeOffline: 'true',
        LocalPreAuthorize: 'true',
        LightIntensity: '150',
        VendorTurboMode: 'on',
      },
    });
    assert.equal(template.status, 200, JSON.stringify(template.body));
    for (const tagId of ['CARD-0001', 'CARD-0002']) assert.equal((await api(app, '/api/rfid', 'POST', { tagId })).status, 201);

    const created = await api(app, '/api/provisioning/chargers', 'POST', SIEMENS);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { charger, settings } = created.body;
    assert.equal(charger.chargePointId, 'JAAL34S021', 'the serial number by default');
    assert.deepEqual({ ...charger, ...SIEMENS }, charger, 'every seed field stored as given');
    assert.equal(charger.hasPassword, true);
    assert.match(settings.password, /^[a-zA-Z2-9]{24}$/, 'a strong generated password');
    assert.equal(settings.centralSystemUrl, `ws://127.0.0.1:${app.port}/ocpp/JAAL34S021`, 'the address this PC has towards the charger');
    assert.equal(settings.ocppVersion, '1.6-J');
    assert.equal(settings.heartbeatIntervalSec, app.config.heartbeatIntervalSec);
    for (const part of [settings.centralSystemUrl, settings.password, 'OCPP 1.6-J', 'JAAL34S021']) assert.ok(settings.qrText.includes(part), `QR text holds ${part}`);
    const later = (await api(app, '/api/provisioning/JAAL34S021/settings')).body;
    assert.equal(later.password, null, 'the password is shown only once');
    assert.equal(later.centralSystemUrl, settings.centralSystemUrl);

    await assert.rejects(TestCharger.connect(settings.centralSystemUrl), /HTTP 401/, 'no connection without the password');

    sim = new SimCharger({ id: 'JAAL34S021', url: settings.centralSystemUrl.replace(/JAAL34S021$/, '{id}'), password: settings.password, connectors: 2, backoffInitialMs: 50, backoffMaxMs: 300 });
    sim.start();
    const p = await applied(app, 'JAAL34S021');

    const summary = p.steps.map((s: any) => [s.step, s.ok]);
    assert.deepEqual(summary.slice(0, 3), [
      ['created', true],
      ['connected', true],
      ['boot', true],
    ]);
    assert.equal(p.steps[1].detail.remoteAddress, '127.0.0.1', 'connected from which IP');
    assert.equal(p.steps[2].detail.status, 'Accepted');
    const keys = p.steps.filter((s: any) => s.step === 'template-key').map((s: any) => [s.detail.key, s.detail.status]);
    assert.deepEqual(keys, [
      ['HeartbeatInterval', 'Accepted'],
      ['MeterValueSampleInterval', 'Accepted'],
      ['MeterValuesSampledData', 'Accepted'],
      ['LocalAuthorizeOffline', 'Accepted'],
      ['LocalPreAuthorize', 'Accepted'],
      ['LightIntensity', 'Rejected'],
      ['VendorTurboMode', 'NotSupported'],
    ]);
    const order = p.steps.map((s: any) => s.step);
    assert.ok(order.indexOf('template-applied') < order.indexOf('local-list'), 'the local list after the template');
    assert.deepEqual(p.steps.find((s: any) => s.step === 'local-list').detail, { status: 'Accepted' });
    assert.equal(p.rebootRequired, false);
    await waitFor(() => steps.filter((s) => s.step === 'connector-status').length === 3, 'connector 0, 1, 2 status');
    const connectors = steps
      .filter((s) => s.step === 'connector-status')
      .map((s) => [s.detail.connectorId, s.detail.status])
      .sort();
    assert.deepEqual(connectors, [
      [0, 'Available'],
      [1, 'Available'],
      [2, 'Available'],
    ]);

    // What the charger now holds, and what the event stream told.
    assert.equal(sim.configValue('HeartbeatInterval'), '30');
    assert.equal(sim.configValue('MeterValueSampleInterval'), '15');
    assert.deepEqual(Object.keys(sim.localList).sort(), ['CARD-0001', 'CARD-0002']);
    const stored = (await api(app, '/api/provisioning/JAAL34S021')).body.steps;
    assert.deepEqual(
      steps.map((s) => [s.step, s.ok, s.detail]),
      stored.map((s: any) => [s.step, s.ok, s.detail]),
      'every stored step was an event',
    );
  } finally {
    await sim?.close();
    await app.dispose();
  }
});

test('issue 11: a key answered RebootRequired offers a reboot; opting out of the password leaves a warning; bad input is refused by field', async () => {
  const app = await startTestApp({ callTimeoutMs: 5000 });
  let cp: TestCharger | null = null;
  try {
    assert.equal((await api(app, '/api/provisioning/templates/Lab', 'PUT', { keys: { AuthorizationKey: 'same-for-all-chargers' } })).body.field, 'keys.AuthorizationKey');
    assert.equal((await api(app, '/api/provisioning/templates/Lab', 'PUT', { keys: { WebSocketPingInterval: '30' }, sendLocalList: false })).status, 200);
    assert.equal((await api(app, '/api/provisioning/chargers', 'POST', { vendor: 'ABB' })).body.field, 'chargePointId', 'no id and no serial');
    assert.equal((await api(app, '/api/provisioning/chargers', 'POST', { chargePointId: 'X1', ratedVolts: -5 })).status, 400);
    assert.equal((await api(app, '/api/provisioning/chargers', 'POST', { chargePointId: 'X1', fromDevice: '127.0.96.9' })).body.field, 'fromDevice');
    assert.equal((await api(app, '/api/provisioning/chargers', 'POST', { chargePointId: 'X1', password: 'sixteen chars ok' })).body.field, 'password', 'a space');
    assert.equal((await api(app, '/api/provisioning/chargers', 'POST', { chargePointId: 'X1', password: 'short' })).status, 400);

    const created = await api(app, '/api/provisioning/chargers', 'POST', { chargePointId: 'LAB-1', noPassword: true, targetGroup: 'Lab' });
    assert.equal(created.status, 201);
    assert.equal(created.body.settings.password, null);
    assert.equal(created.body.charger.security.warnings[0].code, 'no-password');
    assert.equal((await api(app, '/api/provisioning/chargers', 'POST', { chargePointId: 'LAB-1' })).status, 409);

    cp = await TestCharger.connect(created.body.settings.centralSystemUrl);
    const resets: any[] = [];
    cp.onCall = (action, payload) => {
      if (action === 'ChangeConfiguration') return { status: 'RebootRequired' };
      if (action === 'Reset') return (resets.push(payload), { status: 'Accepted' });
      return {};
    };
    await cp.call('BootNotification', { chargePointVendor: 'ABB', chargePointModel: 'Terra AC' });
    const p = await applied(app, 'LAB-1');
    assert.equal(p.rebootRequired, true);
    assert.deepEqual(
      p.steps.filter((s: any) => s.step === 'template-key').map((s: any) => [s.detail.key, s.detail.status, s.ok]),
      [['WebSocketPingInterval', 'RebootRequired', true]],
    );
    assert.ok(p.steps.some((s: any) => s.step === 'reboot-required'));
    assert.ok(!p.steps.some((s: any) => s.step === 'local-list'), 'the template said no local list');
    const reboot = await api(app, '/api/provisioning/LAB-1/reboot', 'POST');
    assert.deepEqual(reboot.body, { chargePointId: 'LAB-1', status: 'Accepted' });
    assert.deepEqual(resets, [{ type: 'Soft' }]);
    assert.equal((await api(app, '/api/provisioning/LAB-1')).body.rebootRequired, false);
  } finally {
    await cp?.close();
    await app.dispose();
  }
});
