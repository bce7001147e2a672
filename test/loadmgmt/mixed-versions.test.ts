import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createV201Validator } from '../../main/ocpp/v201/validator.js';
import { startTestApp } from '../helpers/app.js';
import { SimCharger } from '../sim/charger.js';
import { SimCharger201 } from '../sim/charger201.js';
import { Vehicle } from '../sim/vehicle.js';
import { apiJson, FAST_LOAD, holds, METER_INTERVAL_MS, until } from './support.js';

const LIMIT = 20;

test('issue 13 and 14: load management shares a site between a 1.6 charger and a 2.0.1 station; the station gets SetChargingProfile in the 2.0.1 form (TxDefaultProfile on EVSE 0, TxProfile naming its own transaction id) and its EV keeps to its share', async () => {
  const app = await startTestApp(FAST_LOAD);
  const opts = { url: `${app.wsBase}/ocpp`, meterIntervalMs: METER_INTERVAL_MS, backoffInitialMs: 100, backoffMaxMs: 500, callTimeoutMs: 3000 };
  const c16 = new SimCharger({ ...opts, id: 'LM-16' });
  const c201 = new SimCharger201({ ...opts, id: 'LM-201' });
  const vehicles = new Map<string, Vehicle>();
  try {
    for (const id of ['LM-16', 'LM-201']) {
      await apiJson(app.httpBase, '/api/charger', { method: 'POST', json: { chargePointId: id, maximumAmps: 32 } });
      await apiJson(app.httpBase, '/api/rfid', { method: 'POST', json: { tagId: `TAG-${id}` } });
    }
    await apiJson(app.httpBase, '/api/load/site', { method: 'PUT', json: { limitAmps: LIMIT } });
    for (const c of [c16, c201]) {
      c.start();
      await c.waitFor(() => c.isOnline, 10_000, 'boot');
      const vehicle = new Vehicle({ rampAmpsPerSec: 40, soc: 0.3 });
      vehicles.set(c.id, vehicle);
      const r = await c.startSession({ idTag: `TAG-${c.id}`, vehicle });
      assert.ok(r.started, `${c.id}: ${r.started ? '' : r.reason}`);
    }
    const draw = (id: string) => vehicles.get(id)!.drawAmps;
    // Bounded generously: on a machine shared by several test runs the first allocation can take a while.
    await until('each session draws its share of 10 A', () => ['LM-16', 'LM-201'].every((id) => Math.abs(draw(id) - LIMIT / 2) <= 1), 20_000);
    await holds('the site limit', () => (draw('LM-16') + draw('LM-201') > LIMIT + 1e-9 ? `site draws ${draw('LM-16') + draw('LM-201')} A` : null), 1500);

    const v201 = createV201Validator();
    const profiles = c201.received.filter((r) => r.action === 'SetChargingProfile');
    assert.ok(profiles.length >= 2, 'the station got its fallback and its share');
    for (const p of profiles) {
      assert.doesNotThrow(() => v201.check('SetChargingProfile.req', p.payload));
      assert.equal(p.error, undefined);
    }
    const payloads = profiles.map((p) => p.payload as any);
    assert.ok(payloads.some((p) => p.evseId === 0 && p.chargingProfile.chargingProfilePurpose === 'TxDefaultProfile'));
    const share = payloads.find((p) => p.chargingProfile.chargingProfilePurpose === 'TxProfile');
    assert.equal(share.evseId, 1);
    assert.equal(share.chargingProfile.transactionId, c201.activeTransactions[0]!.transactionId, "the share names the station's own transaction");
    assert.ok(
      c201.chargingProfiles.some((p) => p.profile.chargingProfilePurpose === 'TxProfile'),
      'installed on the station',
    );
  } finally {
    await Promise.all([c16.close(), c201.close()]);
    await app.dispose();
  }
});
