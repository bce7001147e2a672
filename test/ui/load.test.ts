/**
 * Issue 13 acceptance: the Load screen in headless Chromium against the real service, with
 * simulated chargers drawing what their charging profiles allow (fast intervals via config).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { type Depot, FAST_LOAD, ids, openDepot } from '../loadmgmt/support.js';
import { launchBrowser, SKIP_BROWSER, shot, signedInPage } from './browser.js';

describe('issue 13: the Load screen in a browser', { skip: SKIP_BROWSER }, () => {
  let app: TestApp;
  let depot: Depot;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const chargers = ids('LOADUI', 3);

  before(async () => {
    if (SKIP_BROWSER) return;
    app = await startTestApp(FAST_LOAD);
    depot = await openDepot({ httpBase: app.httpBase, wsBase: app.wsBase, ids: chargers });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await depot?.close();
    await app?.dispose();
  });

  const attr = async (bar: Locator, name: string) => Number((await bar.getAttribute(name)) || Number.NaN);

  test('issue 13: the Load screen shows the limit line and per-charger bars moving live', async () => {
    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN);
    await page.getByRole('link', { name: 'Load management' }).click();
    await page.getByRole('heading', { name: 'Load management' }).waitFor();
    const limit = page.getByLabel('Limit (amps per phase)');

    // The API's own validation message is shown at the field.
    await limit.fill('200000');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page
      .getByText(/limitAmps|must be <= 100000/)
      .first()
      .waitFor();

    await limit.fill('40');
    await page.getByRole('button', { name: 'Set limit' }).click();
    await page.getByTestId('site-limit').filter({ hasText: '40 A' }).waitFor();
    // The chart carries the limit as its own series.
    await page.locator('.u-legend').getByText('Limit A').waitFor();

    const [a, b, c] = chargers.map((id) => page.getByRole('group', { name: id, exact: true })) as [Locator, Locator, Locator];
    const points = async () => Number(await page.getByRole('img', { name: /^Site current/ }).getAttribute('data-points'));
    const pointsBefore = await points();

    // Two sessions share 40 A; the bars follow without a reload.
    await depot.start(chargers[0]!);
    await depot.start(chargers[1]!);
    await page.waitForFunction(([x, y]) => [x, y].every((id) => Number(document.querySelector(`[aria-label="${id}"]`)?.getAttribute('data-allocated')) === 20), [chargers[0], chargers[1]]);
    await page.waitForFunction((id) => Number(document.querySelector(`[aria-label="${id}"]`)?.getAttribute('data-measured')) > 15, chargers[0]);
    assert.equal(await attr(c, 'data-allocated'), 0);
    const measuredBefore = await page.getByTestId('site-measured').textContent();

    // A third session: every share drops to 13.3 A, the measured draw follows.
    await depot.start(chargers[2]!);
    await page.waitForFunction((all) => all.every((id) => Math.abs(Number(document.querySelector(`[aria-label="${id}"]`)?.getAttribute('data-allocated')) - 13.3) < 0.11), chargers);
    await page.waitForFunction((id) => Number(document.querySelector(`[aria-label="${id}"]`)?.getAttribute('data-measured')) < 14.5, chargers[0]);
    assert.ok((await attr(a, 'data-measured')) <= 14.5);
    assert.ok((await attr(b, 'data-allocated')) < 20);
    assert.ok((await points()) > pointsBefore + 2, 'the site chart gained points from the live events');
    assert.notEqual(await page.getByTestId('site-measured').textContent(), measuredBefore);
    await page.waitForFunction((id) => Number(document.querySelector(`[aria-label="${id}"]`)?.getAttribute('data-measured')) > 10, chargers[2]);
    await shot(page, 'load-live');
  });

  test("review, issue 13: each charger's priority is on its bar, and a priority set on the screen shows there", async () => {
    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN, '/load');
    const bar = page.getByRole('group', { name: chargers[2]!, exact: true });
    await bar.getByText('priority 0', { exact: true }).waitFor();
    await page.getByRole('combobox', { name: 'Charger', exact: true }).click();
    await page.getByRole('option', { name: chargers[2]!, exact: true }).click();
    await page.getByRole('textbox', { name: 'Priority', exact: true }).fill('7');
    await page.getByRole('button', { name: 'Set', exact: true }).first().click();
    await bar.getByText('priority 7', { exact: true }).waitFor();
    assert.equal(await attr(bar, 'data-priority'), 7);
    assert.equal(await attr(page.getByRole('group', { name: chargers[0]!, exact: true }), 'data-priority'), 0);
    await shot(page, 'load-priority');
  });

  test('issue 13: the Load screen marks a charger that rejects profiles with the reason and shows the over-limit alert', async () => {
    // Its own service: a charger that accepts only power (W) schedules rejects every profile in amps.
    const own = await startTestApp(FAST_LOAD);
    const [refuser, other] = ids('LOADREJ', 2) as [string, string];
    const rejecting = await openDepot({
      httpBase: own.httpBase,
      wsBase: own.wsBase,
      ids: [refuser, other],
      charger: (id) => (id === refuser ? { config: { AllowOfflineTxForUnknownId: 'true', ChargingScheduleAllowedChargingRateUnit: 'Power' } } : {}),
    });
    try {
      const page = await signedInPage(browser, contexts, own.httpBase, TEST_TOKEN, '/load');
      await page.getByLabel('Limit (amps per phase)').fill('20');
      await page.getByRole('button', { name: 'Set limit' }).click();
      await page.getByTestId('site-limit').filter({ hasText: '20 A' }).waitFor();
      await rejecting.start(refuser);
      await rejecting.start(other);
      // Counted at its maximum, it alone draws 32 A on a 20 A site: flagged, and over the limit.
      await page
        .getByRole('group', { name: refuser, exact: true })
        .getByText(/flagged: .*rejects/)
        .waitFor();
      await page.getByRole('alert').filter({ hasText: 'Site over its limit' }).waitFor();
      await page.getByText('(over the limit)').waitFor();
      await shot(page, 'load-flagged-over-limit');
    } finally {
      await rejecting.close();
      await own.dispose();
    }
  });
});
