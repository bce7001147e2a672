import { type Static, Type } from '@sinclair/typebox';
import { ScanRangeError } from '../../discovery/ranges.js';
import type { DiscoveryService } from '../../discovery/service.js';
import type { Db } from '../../store/db.js';
import type { DiscoveryWriter } from '../../store/discovery-ops.js';
import { getDevice, listDevices, listScans } from '../../store/queries/discovery.js';
import { Created } from '../http-server.js';
import { Device, Scan, ScanDefaults } from '../responses/discovery.js';
import { HttpError, type Route } from '../router.js';
import { intParam } from './params.js';

export const ScanBody = Type.Object(
  {
    // Required: a scan touches the LAN, so it is always an explicit choice (the UI pre-fills GET /api/discovery/defaults).
    range: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "IPv4 CIDR (192.168.10.0/24), span (192.168.10.20-40) or address; private, link-local or loopback only, at most a /22. GET /api/discovery/defaults proposes this PC's LAN /24",
    }),
    ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { minItems: 1, maxItems: 16, description: 'TCP ports to probe (default discoveryPorts: 80, 443, 8080)' })),
  },
  { additionalProperties: false },
);

const asHttp = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScanRangeError) throw new HttpError(400, err.message, err.field);
    throw err;
  }
};

/** Issue 11, installer's toolkit: subnet scans and the merged list of devices found on the LAN. */
export function discoveryRoutes(db: Db, writer: DiscoveryWriter, discovery: DiscoveryService): Route[] {
  const scan = (id: string) => {
    const s = discovery.scanner.get(id);
    if (!s) throw new HttpError(404, `no scan ${id}`, 'id');
    return s;
  };
  return [
    {
      method: 'POST',
      path: '/api/discovery/scan',
      response: Scan,
      summary: 'Start a subnet scan (HTTP on each port of each address); answers its id and progress',
      created: true,
      body: ScanBody,
      handler: async ({ body }) => {
        const b = body as Static<typeof ScanBody>;
        return new Created(await asHttp(() => discovery.startScan(b.range, b.ports)));
      },
    },
    {
      method: 'GET',
      path: '/api/discovery/defaults',
      response: ScanDefaults,
      summary: "What a scan form starts with: this PC's LAN /24, the default ports, this PC's LAN addresses, whether mDNS is on",
      handler: () => discovery.defaults(),
    },
    { method: 'GET', path: '/api/discovery/scans', summary: 'Recent scans, newest first', handler: ({ query }) => listScans(db, intParam(query, 'limit', 20, 1, 200)) },
    {
      method: 'GET',
      path: '/api/discovery/scans/:id',
      response: Scan,
      summary: 'Scan progress: addresses done of total, found so far; new and gone when finished',
      handler: ({ params }) => scan(params.id!),
    },
    {
      method: 'DELETE',
      path: '/api/discovery/scans/:id',
      response: Scan,
      summary: 'Cancel a running scan (a finished one is answered as it is)',
      handler: async ({ params }) => (await discovery.scanner.cancel(params.id!)) ?? scan(params.id!),
    },
    {
      method: 'GET',
      path: '/api/discovery/devices',
      response: Type.Array(Device),
      summary: 'Merged device list (probe, mDNS, OCPP sockets) with MAC, vendor, open ports, matching charger; state new / present / gone',
      handler: () => listDevices(db),
    },
    {
      method: 'GET',
      path: '/api/discovery/devices/:ip',
      summary: 'One discovered device',
      handler: ({ params }) => {
        const device = getDevice(db, params.ip!);
        if (!device) throw new HttpError(404, `no device ${params.ip}`, 'ip');
        return device;
      },
    },
    {
      method: 'DELETE',
      path: '/api/discovery/devices/:ip',
      summary: 'Forget a discovered device',
      handler: async ({ params }) => {
        if (!(await writer.run('deleteDevice', { ip: params.ip! }))) throw new HttpError(404, `no device ${params.ip}`, 'ip');
        return { ip: params.ip, deleted: true };
      },
    },
  ];
}
