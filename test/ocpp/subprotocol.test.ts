import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { boot, cpid, quietWindow, row, startTestApp, type TestApp, TestCharger, upgradeStatus, waitFor, withApp } from './support.js';

/** Raw upgrade that reports the response's Sec-WebSocket-Protocol header (ws's client would abort first). */
function handshake(url: string, protocols: string[]): Promise<{ status: number; protocol: string | undefined; ws?: WebSocket; closed?: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('upgrade', (res) => {
      const protocol = res.headers['sec-websocket-protocol'] as string | undefined;
      resolve({ status: 101, protocol });
    });
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, protocol: undefined }));
    ws.on('error', () => {});
    setTimeout(() => reject(new Error('no handshake answer')), 3000);
  });
}

describe('WebSocket subprotocol negotiation', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.dispose());

  test('OCPP-J 3.1.2: a charger offering ocpp1.6 gets Sec-WebSocket-Protocol: ocpp1.6', async () => {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${cpid()}`, { protocols: ['ocpp1.6'] });
    assert.equal(cp.ws.protocol, 'ocpp1.6');
    assert.equal((await boot(cp)).status, 'Accepted');
    await cp.close();
  });

  test('ocpp1.6 is picked out of a list that also offers versions not spoken here', async () => {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${cpid()}`, { protocols: ['ocpp2.1', 'ocpp1.6', 'ocpp1.5'] });
    assert.equal(cp.ws.protocol, 'ocpp1.6');
    assert.equal((await boot(cp)).status, 'Accepted');
    await cp.close();
  });

  test('a charger offering only unsupported subprotocols gets no Sec-WebSocket-Protocol and is not kept', async () => {
    const id = cpid('ONLY21');
    const h = await handshake(`${app.wsBase}/ocpp/${id}`, ['ocpp2.1', 'ocpp2.0']);
    assert.equal(h.status, 101);
    assert.equal(h.protocol, undefined, 'no protocol agreed');
    // The ws client itself refuses such a handshake; either way the charger never becomes connected.
    await assert.rejects(TestCharger.connect(`${app.wsBase}/ocpp/${id}`, { protocols: ['ocpp2.1'] }));
    await quietWindow(50); // the charger must not show up as connected or registered in this window
    assert.ok(!app.ocpp.connectedIds.includes(id));
    assert.equal(row(app, 'SELECT count(*) AS n FROM chargers WHERE charge_point_id = ?', id)?.n, 0, 'not auto-registered');
  });

  test('a charger offering only unsupported subprotocols is closed by the server (1002) if it goes ahead anyway', async () => {
    // A lenient client that ignores the missing protocol: the raw socket sees the close frame.
    const net = await import('node:net');
    const url = new URL(`${app.wsBase}/ocpp/${cpid('RAW')}`);
    const sock = net.connect(Number(url.port), url.hostname);
    const data: Buffer[] = [];
    sock.on('data', (d) => data.push(d));
    sock.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.1\r\n\r\n`,
    );
    // Wait for the handshake answer plus the 4-byte close frame header and code.
    const all = await waitFor(() => {
      const b = Buffer.concat(data);
      const end = b.indexOf('\r\n\r\n');
      return end > 0 && b.length >= end + 4 + 4 ? b : undefined;
    }, 'close frame');
    sock.destroy();
    const text = all.toString('latin1');
    assert.match(text, /^HTTP\/1.1 101/);
    assert.doesNotMatch(text, /Sec-WebSocket-Protocol/i);
    const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
    assert.equal(body[0]! & 0x0f, 0x8, 'a close frame follows the handshake');
    assert.equal(body.readUInt16BE(2), 1002, 'close code 1002 protocol error');
  });

  test('a charger offering no subprotocol is accepted when allowMissingSubprotocol is on (the default)', async () => {
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${cpid('NOPROTO')}`, { protocols: null });
    assert.equal(cp.ws.protocol, '');
    assert.equal((await boot(cp)).status, 'Accepted');
    await cp.close();
  });
});

test('a charger offering no subprotocol is refused with HTTP 400 when allowMissingSubprotocol is off', async () => {
  await withApp({ allowMissingSubprotocol: false }, async (app) => {
    const id = cpid('NOPROTO');
    assert.equal(await upgradeStatus(`${app.wsBase}/ocpp/${id}`, { protocols: null }), 400);
    assert.equal(row(app, 'SELECT count(*) AS n FROM chargers WHERE charge_point_id = ?', id)?.n, 0);
    // offering ocpp1.6 still works with the switch off
    const cp = await TestCharger.connect(`${app.wsBase}/ocpp/${id}`);
    assert.equal(cp.ws.protocol, 'ocpp1.6');
    await cp.close();
  });
});
