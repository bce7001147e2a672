/**
 * Issue 11 acceptance in the browser: the Discovery screen scans a 127.0.0.x range where the
 * test serves a Siemens VersiCharge login page, and the Provisioning screen creates a charger,
 * shows what to type into it, and follows the simulated charger's first boot live.
 * Loopback only. Screenshots land in test-results/ui/.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { type Closable, SIEMENS_LOGIN, webServer } from '../discovery/support.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { SimCharger } from '../sim/charger.js';
import { launchBrowser, SKIP_BROWSER, shot, signedInPage } from './browser.js';

const NET = '127.0.95';

describe("issue 11: the installer's toolkit in the browser", { skip: SKIP_BROWSER }, () => {
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const peers: Closable[] = [];

  before(async () => {
    if (SKIP_BROWSER) return;
    app = await startTestApp({ discoveryProbeTimeoutMs: 2000, discoveryProbeConcurrency: 8, callTimeoutMs: 5000 });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const p of peers) await p.close().catch(() => {});
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.dispose();
  });

  test('issue 11: the Discovery screen scans a 127.0.0.x range and lists the fake Siemens charger with its vendor', async () => {
    const siemens = await webServer(`${NET}.5`, 0, SIEMENS_LOGIN, 'lighttpd/1.4.59');
    peers.push(siemens);
    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN, '/discovery');
    const range = page.getByLabel('Address range');
    // Pre-filled from GET /api/discovery/defaults before the installer changes it.
    await page.waitForFunction(() => (document.querySelector('input[required]') as HTMLInputElement | null)?.value !== '');
    await range.fill(`${NET}.0/28`);
    await page.getByLabel('Ports').fill(String(siemens.port));
    await page.getByRole('button', { name: 'Start scan' }).click();
    await page.getByText(`Scan of ${NET}.1-${NET}.14: 14 / 14 addresses, 1 found · done`).waitFor();
    const row = page.getByRole('row').filter({ hasText: `${NET}.5` });
    await row.getByText('Siemens', { exact: false }).first().waitFor();
    await row.getByText('VersiCharge – Login', { exact: true }).waitFor();
    await row.getByText('new').waitFor();
    assert.equal(
      await page
        .getByRole('row')
        .filter({ hasText: `${NET}.6` })
        .count(),
      0,
      'only the address that answered',
    );
    await shot(page, 'discovery-scan');

    // A public range is refused on the range field, with the API's reason.
    await range.fill('8.8.8.0/24');
    await page.getByRole('button', { name: 'Start scan' }).click();
    await page
      .getByText(/private|loopback/)
      .first()
      .waitFor();
    await shot(page, 'discovery-public-range-refused');

    await row.getByRole('button', { name: `Provision ${NET}.5` }).click();
    await page.getByRole('heading', { name: `Provision the device at ${NET}.5` }).waitFor();
  });

  test("issue 11: provisioning from the UI shows the settings and the charger's steps live", async () => {
    const put = await app.api('/api/provisioning/templates/Production', { method: 'PUT', json: { keys: { HeartbeatInterval: '30', LocalAuthorizeOffline: 'true' } } });
    assert.equal(put.status, 200);
    assert.equal((await app.api('/api/rfid', { method: 'POST', json: { tagId: 'UI-PROV-CARD' } })).status, 201);
    assert.equal((await app.api('/api/provisioning/chargers', { method: 'POST', json: { chargePointId: 'UI-NOPW', noPassword: true } })).status, 201);

    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN, '/provisioning');
    await page
      .getByRole('alert', { name: /without a password/ })
      .getByRole('link', { name: 'UI-NOPW' })
      .waitFor();
    await page.getByLabel('Templates').getByText('HeartbeatInterval=30').waitFor();

    // A template per target group, edited in the UI; a shared AuthorizationKey is refused on the keys.
    await page.getByRole('button', { name: 'New template' }).click();
    const editor = page.getByRole('form', { name: 'Edit template' });
    await editor.getByLabel('Target group').fill('Staging');
    const keys = editor.getByLabel(/^Keys/);
    await keys.fill('HeartbeatInterval=45\nAuthorizationKey=one-for-all');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('AuthorizationKey may only be "generate"', { exact: false }).waitFor();
    await keys.fill('HeartbeatInterval=45\nAuthorizationKey=generate');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('row').filter({ hasText: 'Staging' }).getByText('AuthorizationKey=generate').waitFor();

    // Bad input lands on the field the API names.
    await page.getByLabel('Charge point ID').fill('bad id/with slash');
    await page.getByRole('button', { name: 'Create charger' }).click();
    await page.getByLabel('Charge point ID').and(page.locator('[aria-invalid="true"]')).waitFor();
    await shot(page, 'provisioning-field-error');

    await page.getByLabel('Charge point ID').fill('');
    await page.getByLabel('Serial number').fill('UIPROV0001');
    await page.getByLabel('Vendor').fill('Siemens');
    await page.getByLabel('IP address').fill('127.0.0.1');
    await page.getByLabel('Target group').fill('Production');
    await page.getByRole('button', { name: 'Create charger' }).click();
    const url = (await page.getByRole('cell', { name: 'Central-system URL', exact: true }).textContent()) ?? '';
    assert.equal(url, `ws://127.0.0.1:${app.port}/ocpp/UIPROV0001`, 'the serial number is the default id');
    const password = (await page.getByRole('cell', { name: 'Password (AuthorizationKey)', exact: true }).textContent()) ?? '';
    assert.match(password, /^[a-zA-Z2-9]{24}$/);
    assert.equal(await page.getByRole('cell', { name: 'OCPP version', exact: true }).textContent(), '1.6-J');
    await page.getByRole('img', { name: 'QR code of the settings for UIPROV0001' }).waitFor();
    await page.getByRole('button', { name: 'Copy Central-system URL' }).waitFor();
    await page.getByText('Charger created; waiting for its first connection').waitFor();

    const sim = new SimCharger({ id: 'UIPROV0001', url: url.replace(/UIPROV0001$/, '{id}'), password, connectors: 2, backoffInitialMs: 50, backoffMaxMs: 300 });
    peers.push(sim);
    sim.start();
    const steps = page.getByLabel('Provisioning steps');
    for (const text of [
      'Connected from 127.0.0.1',
      'BootNotification Accepted',
      'Connector 1: Available',
      'Connector 2: Available',
      'Template key HeartbeatInterval: Accepted',
      'Template key LocalAuthorizeOffline: Accepted',
      'Template applied',
      'Local authorization list sent: Accepted',
    ]) {
      await steps.getByText(text, { exact: false }).waitFor();
    }
    await shot(page, 'provisioning-live-steps');
  });
});
