/**
 * issue 9 (Electron shell): every IPC call is checked in main before anything acts. Calls go
 * through the same dispatcher the IPC adapter registers; the operating-system services
 * (system browser, save dialog, notifications) are recorded at that edge, files are real.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createIpcDispatch, type DesktopPorts } from '../../main/desktop/ipc-dispatch.js';
import { createLogger } from '../../main/log/logger.js';

const ORIGIN = 'http://127.0.0.1:3001';
const PAGE = `${ORIGIN}/chargers/JAAL34S021`;
// Saves go to <base>/saves, so a path escaping it would land in the test's own <base>.
const base = mkdtempSync(join(tmpdir(), 'ocpp-edge-ipc-'));
const dir = join(base, 'saves');
mkdirSync(dir);
after(() => rmSync(base, { recursive: true, force: true }));

function setup(overrides: Partial<DesktopPorts> = {}) {
  const opened: string[] = [];
  const notified: Array<[string, string]> = [];
  const ports: DesktopPorts = {
    openExternal: async (url) => void opened.push(url),
    chooseSavePath: async (name) => join(dir, name),
    notify: (title, body) => void notified.push([title, body]),
    version: () => '0.1.0',
    ...overrides,
  };
  const addresses: Record<string, string[]> = { JAAL34S021: ['192.0.2.10', '::ffff:192.0.2.11'] };
  const dispatch = createIpcDispatch({ origin: ORIGIN, ports, chargerAddresses: (id) => addresses[id], log: createLogger('silent') });
  return { dispatch, opened, notified };
}

test('issue 9: "Open web config" reaches the system browser only for the charger\'s recorded address', async () => {
  const { dispatch, opened } = setup();
  assert.deepEqual(await dispatch('web-config:open', PAGE, ['JAAL34S021', 'http://192.0.2.10/']), { ok: true, value: undefined });
  assert.deepEqual(await dispatch('web-config:open', PAGE, ['JAAL34S021', 'https://192.0.2.11:8443/ocpp']), { ok: true, value: undefined });
  const refused: Array<[unknown[], RegExp]> = [
    [['JAAL34S021', 'http://192.0.2.99/'], /^not opened: 192\.0\.2\.99 is not an address recorded for charger "JAAL34S021"/],
    [['JAAL34S021', 'file:///etc/passwd'], /^not opened: only http and https/],
    [['JAAL34S021', 'javascript:alert(1)'], /^not opened: only http and https/],
    [['JAAL34S021', 'http://user:pw@192.0.2.10/'], /^not opened: addresses with a user name or password/],
    [['NO-SUCH', 'http://192.0.2.10/'], /^not opened: no charger "NO-SUCH" is registered/],
    [['JAAL34S021', 42], /^address must be a string, got number/],
    [['JAAL34S021'], /^expected 2 argument\(s\), got 1/],
  ];
  for (const [args, why] of refused) {
    const r = await dispatch('web-config:open', PAGE, args);
    assert.equal(r.ok, false, JSON.stringify(args));
    assert.match((r as { error: string }).error, why);
  }
  assert.deepEqual(opened, ['http://192.0.2.10/', 'https://192.0.2.11:8443/ocpp']);
});

test("issue 9: a call from any page but the app's own is refused before its arguments are looked at", async () => {
  const { dispatch, opened, notified } = setup();
  for (const sender of ['', 'http://127.0.0.1:3002/', 'http://192.0.2.10/', 'file:///tmp/x.html', 'devtools://devtools/bundled/inspector.html']) {
    assert.deepEqual(await dispatch('web-config:open', sender, ['JAAL34S021', 'http://192.0.2.10/']), { ok: false, error: 'refused: only the OCPP Edge page may use the desktop bridge' });
    assert.equal((await dispatch('alert:notify', sender, ['t', 'b'])).ok, false);
  }
  assert.deepEqual(opened, []);
  assert.deepEqual(notified, []);
});

test('issue 9: a CSV export is written where the user chose; cancel writes nothing; a write failure is a readable error', async () => {
  const { dispatch } = setup();
  const saved = await dispatch('file:save', PAGE, ['sessions.csv', 'id,energy\n1,12.5\n']);
  assert.deepEqual(saved, { ok: true, value: join(dir, 'sessions.csv') });
  assert.equal(readFileSync(join(dir, 'sessions.csv'), 'utf8'), 'id,energy\n1,12.5\n');

  const cancelled = setup({ chooseSavePath: async () => null });
  assert.deepEqual(await cancelled.dispatch('file:save', PAGE, ['other.csv', 'x']), { ok: true, value: null });
  assert.ok(!existsSync(join(dir, 'other.csv')));

  const broken = setup({ chooseSavePath: async (name) => join(dir, 'no-such-folder', name) });
  const r = await broken.dispatch('file:save', PAGE, ['x.csv', 'x']);
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /^could not write .*no-such-folder\/x\.csv: ENOENT/);

  const traversal = await dispatch('file:save', PAGE, ['../escape.csv', 'x']);
  assert.equal(traversal.ok, false);
  assert.ok(!existsSync(join(base, 'escape.csv')));
});

test("issue 9: alerts become desktop notifications; no notification system is a readable error; the version is the app's", async () => {
  const { dispatch, notified } = setup();
  assert.deepEqual(await dispatch('alert:notify', PAGE, ['Store outage', 'commits failing: SQLITE_FULL']), { ok: true, value: undefined });
  assert.deepEqual(notified, [['Store outage', 'commits failing: SQLITE_FULL']]);
  const none = setup({
    notify: () => {
      throw new Error('desktop notifications are not supported on this system');
    },
  });
  assert.deepEqual(await none.dispatch('alert:notify', PAGE, ['t', 'b']), { ok: false, error: 'desktop notifications are not supported on this system' });
  assert.deepEqual(await dispatch('app:version', PAGE, []), { ok: true, value: '0.1.0' });
});
