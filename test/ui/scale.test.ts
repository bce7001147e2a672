/**
 * Issue 9: the charger list stays fast with 5,000 chargers: the server pages and sorts, the
 * browser renders only the rows in view, and a status change still arrives live.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { insertCharger } from '../../main/store/queries/chargers.js';
import { recordStatus } from '../../main/store/queries/connectors.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { boot, TestCharger } from '../helpers/ocpp-client.js';
import { launchBrowser, SKIP_BROWSER, shot } from './browser.js';

const COUNT = 5000;
const id = (i: number) => `SCALE-${String(i).padStart(5, '0')}`;

describe('issue 9: 5,000 chargers in the list', { skip: SKIP_BROWSER }, () => {
  let app: TestApp;
  let browser: Browser;
  before(async () => {
    // Node 20 runs the hooks of a skipped suite.
    if (SKIP_BROWSER) return;
    app = await startTestApp();
    const now = new Date().toISOString();
    app.db.transaction(() => {
      for (let i = 0; i < COUNT; i++) {
        insertCharger(app.db, id(i), { vendor: 'Siemens', model: 'VersiCharge', targetGroup: i % 2 ? 'Production' : 'Visitors' });
        recordStatus(app.db, { chargePointId: id(i), connectorId: 1, status: 'Available', errorCode: 'NoError', statusAt: now, receivedAt: now });
      }
    })();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.dispose();
  });

  test('issue 9: the list renders only the rows in view, pages from the server as it scrolls, filters server-side and stays live', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.httpBase}/?token=${TEST_TOKEN}`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const started = Date.now();
    await page.getByRole('link', { name: 'Chargers' }).click();
    await page.getByText(`${COUNT} chargers`).waitFor();
    await page.getByRole('link', { name: id(0) }).waitFor();
    const firstRenderMs = Date.now() - started;
    // Printed only: `npm run bench` (f) holds the first render to its 2 s target on a quiet machine.
    console.log(`charger list of ${COUNT}: first render ${firstRenderMs} ms`);
    const rows = await page.getByRole('row').count();
    assert.ok(rows < 80, `${rows} rows in the DOM for ${COUNT} chargers: not virtualised`);

    // Sorted descending by the server: the last charger comes first, no full list in the browser.
    await page.getByRole('button', { name: /^Charger/ }).click();
    await page.getByRole('link', { name: id(COUNT - 1) }).waitFor();
    // Scrolling to the end fetches the pages on the way.
    await page.getByRole('button', { name: /^Charger/ }).click();
    await page
      .locator('[role="table"] [role="rowgroup"]')
      .nth(1)
      .evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.getByRole('link', { name: id(COUNT - 1) }).waitFor();
    await shot(page, 'chargers-5000-end');

    await page.getByLabel('Search').fill(id(4321));
    await page.getByText('1 charger', { exact: true }).waitFor();
    const c = await TestCharger.connect(`${app.wsBase}/ocpp/${id(4321)}`);
    try {
      await boot(c);
      await c.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError', timestamp: new Date().toISOString() });
      await page
        .getByRole('row')
        .filter({ hasText: id(4321) })
        .getByText('#1 Charging')
        .waitFor();
    } finally {
      await c.close();
    }
    await shot(page, 'chargers-5000-search');
  });

  // The share of main-thread time in long tasks is a speed figure: `npm run bench` (scenario f)
  // measures it against its target on a quiet machine; here it is only printed (CI runs two test
  // files beside the browser on two cores, where it once read 63 %).
  test('issue 9: 500 status changes per second: the list keeps up and events are applied at most once per frame (long-task share printed)', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${app.httpBase}/?token=${TEST_TOKEN}`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Chargers' }).click();
    await page.getByRole('link', { name: id(0) }).waitFor();
    const chargers = await Promise.all(Array.from({ length: 50 }, (_, i) => TestCharger.connect(`${app.wsBase}/ocpp/${id(i)}`)));
    try {
      await Promise.all(chargers.map((c) => boot(c)));
      await page.evaluate(() => {
        const w = window as unknown as { longTaskMs: number; since: number };
        w.longTaskMs = 0;
        w.since = performance.now();
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) w.longTaskMs += e.duration;
        }).observe({ type: 'longtask', buffered: false });
      });
      // 50 chargers x 10 changes a second for 3 s = 1,500 events at 500/s.
      const states = ['Charging', 'SuspendedEV', 'Charging', 'Finishing', 'Available'];
      for (let round = 0; round < 30; round++) {
        const tick = Date.now();
        const status = states[round % states.length]!;
        for (const c of chargers) c.sendRaw(JSON.stringify([2, `s${round}`, 'StatusNotification', { connectorId: 1, status, errorCode: 'NoError', timestamp: new Date().toISOString() }]));
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
      }
      const last = states[29 % states.length]!;
      await page
        .getByRole('row')
        .filter({ hasText: id(0) })
        .getByText(`#1 ${last}`)
        .waitFor();
      await page
        .getByRole('row')
        .filter({ hasText: id(9) })
        .getByText(`#1 ${last}`)
        .waitFor();
      const { longTaskMs, elapsed, applies, events } = await page.evaluate(() => {
        const w = window as unknown as { longTaskMs: number; since: number };
        const marks = performance.getEntriesByName('ocpp-edge:events-applied').filter((m) => m.startTime >= w.since) as PerformanceMark[];
        return { longTaskMs: w.longTaskMs, elapsed: performance.now() - w.since, applies: marks.length, events: marks.reduce((n, m) => n + (m.detail as number), 0) };
      });
      // Coalesced: far fewer cache updates than events, at most one per frame (60 Hz).
      assert.ok(events >= 1500, `${events} events reached the page`);
      assert.ok(applies <= (elapsed / 1000) * 61 && applies < events / 3, `${applies} cache updates for ${events} events in ${Math.round(elapsed)} ms`);
      const share = longTaskMs / elapsed;
      console.log(`ui under 500 status changes/s: ${events} events in ${applies} cache updates; long tasks ${Math.round(longTaskMs)} ms of ${Math.round(elapsed)} ms (${(share * 100).toFixed(1)}%)`);
      await shot(page, 'chargers-500-per-second');
    } finally {
      await Promise.all(chargers.map((c) => c.close()));
    }
  });
});
