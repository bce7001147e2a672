/**
 * Issue 14, UI point: the charger detail of an OCPP 2.0.1 station shows its version, its EVSEs
 * with their connectors and its device model (from GetBaseReport) instead of 1.6 configuration
 * keys; a 1.6 charger beside it keeps its Configuration tab. Real service, real simulated
 * stations on loopback, headless Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { SimCharger } from '../sim/charger.js';
import { SimCharger201 } from '../sim/charger201.js';
import { launchBrowser, SKIP_BROWSER, shot, signedInPage } from './browser.js';

const FAST = { backoffInitialMs: 50, backoffMaxMs: 300, callTimeoutMs: 5000, meterIntervalMs: 200, timeScale: 60 };

describe('issue 14: a 2.0.1 station in the browser', { skip: SKIP_BROWSER }, () => {
  let app: TestApp;
  let browser: Browser;
  let station: SimCharger201;
  let charger: SimCharger;
  const contexts: BrowserContext[] = [];

  before(async () => {
    if (SKIP_BROWSER) return;
    app = await startTestApp();
    station = new SimCharger201({ url: `${app.wsBase}/ocpp`, id: 'UI-201', evses: 2, ...FAST });
    charger = new SimCharger({ url: `${app.wsBase}/ocpp`, id: 'UI-16', ...FAST });
    station.start();
    charger.start();
    await station.waitFor(() => station.isOnline && (station.acks.StatusNotification ?? 0) >= 2, 5000, '2.0.1 boot and status');
    await charger.waitFor(() => charger.isOnline, 5000, '1.6 boot');
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await station?.close();
    await charger?.close();
    await app?.dispose();
  });

  test('issue 14: the charger detail shows the version, the EVSEs with their connectors and the device model of a 2.0.1 station; a 1.6 charger keeps its configuration keys', async () => {
    assert.deepEqual(await app.ocpp.callV201('UI-201', 'GetBaseReport', { requestId: 7, reportBase: 'FullInventory' }), { status: 'Accepted' });
    await waitFor(async () => ((await (await app.api('/api/charger/UI-201')).json()) as { deviceModel: unknown[] }).deviceModel.length > 10, { timeoutMs: 5000, what: 'NotifyReport stored' });

    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN, '/chargers/UI-201');
    await page.getByLabel('OCPP version').getByText('OCPP 2.0.1').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Configuration' }).count(), 0, 'no 1.6 configuration keys for a 2.0.1 station');
    await page.getByRole('tab', { name: 'EVSEs and device model' }).click();
    const evses = page.getByRole('table', { name: 'EVSEs' });
    await evses.getByRole('row').filter({ hasText: 'EVSE 2' }).getByText('Available').waitFor();
    assert.equal(await evses.getByRole('row').count(), 3, 'header and one row per EVSE connector');
    const model = page.getByRole('table', { name: 'Device model' });
    // The station's identity, as it reported it, among the variables.
    await model.getByRole('row').filter({ hasText: 'ChargingStation.Model' }).getByText('SimAC-22-201').waitFor();
    await page.getByLabel('Filter the device model').fill('SecurityCtrlr');
    await waitFor(async () => (await model.getByRole('row').count()) > 1 && (await model.getByRole('row').filter({ hasText: 'ChargingStation.Model' }).count()) === 0, {
      timeoutMs: 5000,
      what: 'filtered to SecurityCtrlr',
    });
    await shot(page, 'v201-device-model');

    await page.goto(`${app.httpBase}/chargers/UI-16`);
    await page.getByLabel('OCPP version').getByText('OCPP 1.6').waitFor();
    await page.getByRole('tab', { name: 'Configuration' }).waitFor();
    assert.equal(await page.getByRole('tab', { name: 'EVSEs and device model' }).count(), 0);
  });
});
