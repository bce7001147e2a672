/**
 * Issue 14 in the browser: a 2.0.1 station's detail shows its version, its EVSEs with their
 * connectors, its running session under the station's own transaction id, and its device model
 * where a 1.6 charger shows configuration keys. Screenshots land in test-results/ui/.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { insertIdTag } from '../../main/store/queries/id-tags.js';
import { startTestApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { iso } from '../ocpp/support.js';
import { connectBooted201, txEvent } from '../ocpp/v201-support.js';
import { launchBrowser, SKIP_BROWSER, shot, signedInPage } from './browser.js';

describe('issue 14: a 2.0.1 station in the UI', { skip: SKIP_BROWSER }, () => {
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    // Node 20 runs the hooks of a skipped suite.
    if (SKIP_BROWSER) return;
    app = await startTestApp();
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.dispose();
  });

  test('issue 14: the charger detail shows OCPP 2.0.1, each EVSE with its connectors, the running session by the station transaction id, and the device model instead of configuration keys; the sessions list shows the station ids and missing events', async () => {
    const station = await connectBooted201(app, 'UI-201');
    await station.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    await station.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Occupied', evseId: 1, connectorId: 2 });
    await station.call('NotifyReport', {
      requestId: 1,
      generatedAt: iso(),
      seqNo: 0,
      reportData: [
        {
          component: { name: 'SecurityCtrlr' },
          variable: { name: 'SecurityProfile' },
          variableAttribute: [{ value: '1', mutability: 'ReadOnly' }],
          variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
        },
        {
          component: { name: 'TxCtrlr' },
          variable: { name: 'TxStartPoint' },
          variableAttribute: [{ value: 'PowerPathClosed', mutability: 'ReadWrite' }],
          variableCharacteristics: { dataType: 'MemberList', supportsMonitoring: false },
        },
      ],
    });
    insertIdTag(app.db, { tagId: 'UI-TOKEN-201' });
    await station.call('TransactionEvent', txEvent({ transactionId: 'station-tx-0042', seqNo: 0, eventType: 'Started', wh: 1000, idToken: 'UI-TOKEN-201', evseId: 1, chargingState: 'Charging' }));
    await station.call('TransactionEvent', txEvent({ transactionId: 'station-tx-0042', seqNo: 1, eventType: 'Updated', wh: 3500 }));

    const page = await signedInPage(browser, contexts, app.httpBase, TEST_TOKEN, '/chargers/UI-201');
    await page.getByLabel('OCPP version').getByText('OCPP 2.0.1').waitFor();
    const table = page.getByRole('table', { name: 'Connectors' });
    await table.getByRole('columnheader', { name: 'EVSE' }).waitFor();
    const row = table.getByRole('row').filter({ hasText: '#1 Available, #2 Occupied' });
    await row.getByText('Charging').waitFor();
    await row.getByText('transaction station-tx-0042, UI-TOKEN-201, 2.50 kWh').waitFor();
    await shot(page, 'v201-charger-overview');

    await page.getByRole('tab', { name: 'Configuration' }).click();
    const model = page.getByRole('table', { name: 'Device model' });
    await model.getByText('TxStartPoint').waitFor();
    await model.getByRole('row').filter({ hasText: 'SecurityProfile' }).getByText('ReadOnly').waitFor();
    assert.equal(await page.getByRole('button', { name: /Save/ }).count(), 0, 'no 1.6 configuration keys for a 2.0.1 station');
    await shot(page, 'v201-device-model');

    // A session whose Ended event came with an event missing before it.
    await station.call('TransactionEvent', txEvent({ transactionId: 'station-tx-0043', seqNo: 0, eventType: 'Started', wh: 0, evseId: 2 }));
    await station.call('TransactionEvent', txEvent({ transactionId: 'station-tx-0043', seqNo: 2, eventType: 'Ended', wh: 700 }));
    await page.goto(`${app.httpBase}/sessions`);
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await sessions.getByRole('row').filter({ hasText: 'station-tx-0042' }).getByText('Active').waitFor();
    await sessions.getByRole('row').filter({ hasText: 'station-tx-0043' }).getByText('events missing: seqNo 1').waitFor();
    await shot(page, 'v201-sessions');
    await station.close();
  });
});
