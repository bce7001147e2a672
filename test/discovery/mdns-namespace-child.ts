/**
 * Runs INSIDE a network namespace made by mdns.test.ts (`unshare -n`, lo up, multicast routed
 * to lo): a charger announces its web UI over mDNS, the controller's discovery browses and
 * advertises itself, and a LAN tool looks for `_ocpp._tcp`. Prints what each side saw as JSON.
 * Never run it in the machine's own namespace: it multicasts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bonjour, type Service } from 'bonjour-service';
import { appCommitter } from '../../main/app-ops.js';
import { loadConfig } from '../../main/config/load.js';
import { DiscoveryService } from '../../main/discovery/service.js';
import { EventBus } from '../../main/events.js';
import { createLogger } from '../../main/log/logger.js';
import { openDb } from '../../main/store/db.js';
import { listDevices } from '../../main/store/queries/discovery.js';
import { GroupCommitWriter } from '../../main/store/writer.js';
import { waitFor } from './support.js';

// bonjour-service passes these through to multicast-dns (its typings only name the service fields).
const NAMESPACE_ONLY = { interface: '127.0.0.1', bind: '0.0.0.0' } as never;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-mdns-'));
  const db = openDb(join(dir, 'db.sqlite'));
  const writer = new GroupCommitWriter(appCommitter(join(dir, 'db.sqlite'), { includeMeterSamples: false }));
  const charger = new Bonjour(NAMESPACE_ONLY);
  const tool = new Bonjour(NAMESPACE_ONLY);
  const config = { ...loadConfig({ env: {}, cli: { dataDir: dir } }), discoveryMdns: true, discoveryMdnsTypes: '_evse._tcp' };
  const discovery = new DiscoveryService({ config, db, writer, events: new EventBus(), log: createLogger('silent'), bonjour: NAMESPACE_ONLY });
  try {
    charger.publish({ name: 'VersiCharge JAAL34S021', type: 'http', port: 80, txt: { model: '8EM1310' } });
    charger.publish({ name: 'depot-wallbox', type: 'evse', port: 1234 });
    await discovery.start({ port: 3001, tls: false });
    const advertised = await new Promise<Service>((resolve) => tool.find({ type: 'ocpp' }, resolve));
    const device = await waitFor(() => listDevices(db).find((d) => d.mdnsServices.length >= 2), 'both announcements in the device list', 15_000);
    process.stdout.write(JSON.stringify({ device, advertised: { name: advertised.name, port: advertised.port, txt: advertised.txt } }));
  } finally {
    await discovery.close();
    await new Promise<void>((r) => charger.unpublishAll(() => charger.destroy(() => r())));
    await new Promise<void>((r) => tool.destroy(() => r()));
    await writer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err));
  process.exit(1);
});
