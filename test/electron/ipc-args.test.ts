/**
 * issue 9 (Electron shell): main checks every IPC argument before acting: count, types,
 * lengths, plain file names. The contract makes a channel or argument typo a compile error
 * (the @ts-expect-error lines fail `npm run typecheck` if that ever stops being true).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkIpcArgs, IpcArgumentError, LIMITS } from '../../main/desktop/ipc-args.js';
import type { IpcChannels } from '../../preload/contract.js';

const refuses = (fn: () => unknown, why: RegExp) => assert.throws(fn, (err: unknown) => err instanceof IpcArgumentError && why.test(err.message));

test('issue 9: IPC web-config:open takes a charger id and an address, both strings within limits', () => {
  assert.deepEqual(checkIpcArgs['web-config:open'](['JAAL34S021', 'http://127.0.0.7/']), ['JAAL34S021', 'http://127.0.0.7/']);
  refuses(() => checkIpcArgs['web-config:open'](['JAAL34S021']), /expected 2 argument\(s\), got 1/);
  refuses(() => checkIpcArgs['web-config:open'](['JAAL34S021', 'http://127.0.0.7/', 'extra']), /expected 2/);
  refuses(() => checkIpcArgs['web-config:open']([42, 'http://127.0.0.7/']), /charger id must be a string, got number/);
  refuses(() => checkIpcArgs['web-config:open'](['JAAL34S021', { href: 'http://127.0.0.7/' }]), /address must be a string, got object/);
  refuses(() => checkIpcArgs['web-config:open'](['JAAL34S021', null]), /address must be a string, got null/);
  refuses(() => checkIpcArgs['web-config:open'](['', 'http://127.0.0.7/']), /charger id must not be empty/);
  refuses(() => checkIpcArgs['web-config:open'](['x'.repeat(LIMITS.chargePointId + 1), 'http://127.0.0.7/']), /charger id is longer than 48/);
  refuses(() => checkIpcArgs['web-config:open'](['CP\n1', 'http://127.0.0.7/']), /control characters/);
  refuses(() => checkIpcArgs['web-config:open'](['CP', `http://127.0.0.7/${'a'.repeat(3000)}`]), /address is longer than 2048/);
});

test('issue 9: IPC file:save takes a plain file name (no folders) and text content', () => {
  assert.deepEqual(checkIpcArgs['file:save'](['sessions-2026-12-01.csv', 'a,b\n1,2\n']), ['sessions-2026-12-01.csv', 'a,b\n1,2\n']);
  assert.deepEqual(checkIpcArgs['file:save'](['empty.csv', '']), ['empty.csv', '']);
  for (const name of ['../../.bashrc', '/etc/cron.d/x', 'C:\\Windows\\x.csv', 'a/b.csv', '..', 'x\u0000.csv', 'con:x', 'a?.csv']) {
    refuses(() => checkIpcArgs['file:save']([name, 'x']), /plain name without folders/);
  }
  refuses(() => checkIpcArgs['file:save'](['', 'x']), /file name must not be empty/);
  refuses(() => checkIpcArgs['file:save']([`${'x'.repeat(LIMITS.fileName + 1)}.csv`, 'x']), /file name is longer than 200/);
  refuses(() => checkIpcArgs['file:save'](['x.csv', new Uint8Array(3)]), /file content must be a string, got object/);
  refuses(() => checkIpcArgs['file:save'](['x.csv', 'x'.repeat(LIMITS.fileContentChars + 1)]), /file content is longer than/);
});

test('issue 9: IPC alert:notify takes a title and a body within limits; app:version takes nothing', () => {
  assert.deepEqual(checkIpcArgs['alert:notify'](['Charger faulted', 'JAAL34S021 connector 1: GroundFailure']), ['Charger faulted', 'JAAL34S021 connector 1: GroundFailure']);
  refuses(() => checkIpcArgs['alert:notify'](['', 'x']), /notification title must not be empty/);
  refuses(() => checkIpcArgs['alert:notify'](['t', 'x'.repeat(LIMITS.notificationBody + 1)]), /notification body is longer than 2000/);
  refuses(() => checkIpcArgs['alert:notify'](['t', 5]), /notification body must be a string/);
  assert.deepEqual(checkIpcArgs['app:version']([]), []);
  refuses(() => checkIpcArgs['app:version'](['x']), /expected 0 argument\(s\), got 1/);
});

test('issue 9: every channel of the contract has an argument check, and nothing else does', () => {
  const channels: Record<keyof IpcChannels, true> = { 'web-config:open': true, 'file:save': true, 'alert:notify': true, 'app:version': true };
  assert.deepEqual(Object.keys(checkIpcArgs).sort(), Object.keys(channels).sort());
  // Compile-time: a misspelt channel or a wrong argument type does not typecheck.
  // @ts-expect-error misspelt channel
  assert.equal(checkIpcArgs['web-config:opn'], undefined);
  // @ts-expect-error a channel's arguments are typed tuples
  const wrong: IpcChannels['web-config:open']['args'] = ['JAAL34S021', 42];
  assert.equal(wrong.length, 2);
});
