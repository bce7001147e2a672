import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCharger } from '../../main/store/queries/chargers.js';
import { startTestApp } from '../helpers/app.js';
import { TestCharger } from '../helpers/ocpp-client.js';
import { waitFor } from '../helpers/wait.js';

test('issue 5: connection states missed during a store outage are rewritten from the live sockets once writes work again', async () => {
  const app = await startTestApp();
  try {
    const before = await TestCharger.connect(`${app.wsBase}/ocpp/OUT1`);
    await waitFor(() => getCharger(app.db, 'OUT1')?.isConnected, { what: 'OUT1 stored as connected' });
    await app.writer.pragma('query_only = 1'); // read-only database
    const during = await TestCharger.connect(`${app.wsBase}/ocpp/OUT2`);
    await before.close();
    // The server has seen OUT1 leave and its disconnect write has been tried (and failed).
    await waitFor(() => !app.ocpp.connectedIds.includes('OUT1') && app.writer.backlog === 0 && app.writer.lastError, { what: 'the failed disconnect write' });
    await app.writer.pragma('query_only = 0');
    // A real write ends the outage (recovery is declared after a quiet period).
    await during.call('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: new Date().toISOString() });
    await waitFor(() => getCharger(app.db, 'OUT2')?.isConnected && getCharger(app.db, 'OUT1')?.isConnected === false, { timeoutMs: 5000, what: 'connection states rewritten' });
    assert.equal(getCharger(app.db, 'OUT1')?.isConnected, false, 'the charger that left during the outage is offline');
    assert.equal(getCharger(app.db, 'OUT2')?.isConnected, true, 'the charger that came during the outage is online');
    await during.close();
  } finally {
    await app.dispose();
  }
});
