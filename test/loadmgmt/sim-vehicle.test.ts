import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_OFFER_AMPS, Vehicle } from '../sim/vehicle.js';

const V = 230;

test('issue 13 simulator: an EV ramps up to the current offered and follows a lower offer at once', () => {
  const ev = new Vehicle({ rampAmpsPerSec: 10 });
  const at = (sec: number) => sec * 1000;
  assert.equal(ev.step(32, at(0), V, 1), 0);
  assert.equal(ev.step(32, at(1), V, 1), 10);
  assert.equal(ev.step(32, at(2), V, 1), 20);
  assert.equal(ev.step(32, at(7), V, 1), 32);
  assert.equal(ev.step(16, at(7.1), V, 1), 16);
  // Below the IEC 61851 minimum it does not charge.
  assert.equal(ev.step(MIN_OFFER_AMPS - 0.1, at(7.2), V, 1), 0);
});

test('issue 13 simulator: an EV tapers near full and stops when full; limitTo caps it', () => {
  const ev = new Vehicle({ soc: 0.9, maxAmps: 32, taperFromSoc: 0.8, taperEndAmps: 2 });
  // Half way through the taper: 32 - 30 * 0.5.
  assert.equal(ev.acceptAmps(), 17);
  ev.limitTo(10);
  assert.equal(ev.acceptAmps(), 10);
  ev.limitTo(null);
  const full = new Vehicle({ soc: 0.999, batteryWh: 100, rampAmpsPerSec: 1000 });
  full.step(32, 0, V, 1);
  full.step(32, 1000, V, 1);
  full.step(32, 2000, V, 1, 60);
  assert.equal(full.soc, 1);
  assert.equal(full.step(32, 3000, V, 1), 0);
});
