/**
 * Issue 10 acceptance in the browser: the Sync screen against the reference head office on
 * loopback. Sessions pile up while head office fails every request; the screen shows them
 * pending with the error; "Sync now" once head office is back empties the outbox, and the
 * record head office rejects is parked with its reason until dismissed.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { eventually, type HeadofficeHandle, runSessions, startEdge, startHo } from '../sync/support.js';
import { launchBrowser, SKIP_BROWSER, shot, signedInPage } from './browser.js';

describe('issue 10: the Sync screen', { skip: SKIP_BROWSER }, () => {
  let ho: HeadofficeHandle;
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    if (SKIP_BROWSER) return;
    ho = await startHo();
    // Backoff long enough that the uploader, once failing, leaves the upload to "Sync now".
    app = await startEdge(ho.port, { syncBackoffMaxMs: 3_600_000 });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.dispose();
    await ho?.dispose();
  });

  const sync = async () => (await app.api('/api/sync')).json() as Promise<{ pending: number; parked: number; consecutiveFailures: number; nextAttemptInMs: number | null }>;

  test("issue 10: the Sync screen's pending count falls to 0 after Sync now", async () => {
    await ho.setFaults({ failRate: 1, rejectAuthIds: ['HO-REJECT'] });
    await runSessions(app.wsBase, { chargers: 2, perCharger: 3, prefix: 'UI-SYNC', idTag: (i) => (i === 0 ? 'HO-REJECT' : `SYNC-TAG-${i}`) });
    // Three failed attempts in a row: the next one is a second or more away.
    await eventually(async () => (await sync()).consecutiveFailures >= 3, 'uploads failing');

    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN, '/sync');
    // The six sessions and the two chargers' inventory snapshots.
    const waiting = (await sync()).pending;
    assert.ok(waiting >= 6, `pending ${waiting}`);
    const pending = page.getByTestId('Pending records');
    await pending.getByText(String(waiting), { exact: true }).waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Last error' })
      .getByText(/503|fault/)
      .waitFor();
    await shot(page, 'sync-pending');

    // Right after a fresh failure the next background attempt is seconds away, so the upload below is the run's own
    // (a background attempt between the fault's end and the click would leave the run nothing to do).
    const failed = (await sync()).consecutiveFailures;
    await eventually(async () => {
      const s = await sync();
      return s.consecutiveFailures > failed && (s.nextAttemptInMs ?? 0) > 1500;
    }, 'a fresh failed attempt with the next one seconds away');
    await ho.setFaults({ failRate: 0, rejectAuthIds: ['HO-REJECT'] });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await pending.getByText('0', { exact: true }).waitFor();
    const lastRun = page.getByTestId('Last run');
    await lastRun.getByText(`${waiting - 1} uploaded, 1 parked`, { exact: false }).waitFor();
    assert.match((await lastRun.textContent()) ?? '', /^Last run \(manual, /);
    assert.equal((await ho.summary()).sessions, 5);

    const parked = page.getByRole('table', { name: 'Parked records' });
    await parked.getByText('auth_id HO-REJECT belongs to no contract').waitFor();
    await page.getByTestId('Parked records').getByText('1', { exact: true }).waitFor();
    await shot(page, 'sync-done');
    const [record] = (await (await app.api('/api/sync/parked')).json()) as Array<{ id: number }>;
    await page.getByRole('button', { name: `Dismiss record ${record!.id}` }).click();
    await page.getByText('No parked records').waitFor();
    assert.equal((await sync()).parked, 0);
  });
});
