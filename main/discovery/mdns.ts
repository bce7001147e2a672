/**
 * mDNS / DNS-SD: browses the service types chargers and their web UIs announce and records
 * each answer in the merged device list; advertises this controller as `_ocpp._tcp` with its
 * port and WebSocket path. bonjour-service multicasts on every interface unless told
 * otherwise: `bonjour` options (interface, bind, or an injected socket) pass straight through.
 */

import { isIPv4 } from 'node:net';
import { Bonjour, type Service } from 'bonjour-service';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { DiscoveryWriter } from '../store/discovery-ops.js';
import { guessVendor } from './fingerprint.js';

export const DEFAULT_BROWSE_TYPES = ['_http._tcp', '_https._tcp', '_ocpp._tcp'] as const;

/** `_http._tcp`, `http._tcp`, `_http` or `http` -> `http`; null when it is no DNS-SD service name. */
export function serviceType(raw: string): string | null {
  const t = raw
    .trim()
    .toLowerCase()
    .replace(/^_/, '')
    .replace(/\._tcp$/, '');
  return /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(t) ? t : null;
}

/** The configured comma-separated list plus the defaults, as bonjour type names. */
export function browseTypes(extra: string): string[] {
  const types = [...DEFAULT_BROWSE_TYPES, ...extra.split(',').filter((t) => t.trim())].map((t) => {
    const s = serviceType(t);
    if (!s) throw new Error(`"${t}" is not a DNS-SD service type (e.g. _ocpp._tcp)`);
    return s;
  });
  return [...new Set(types)];
}

export interface Advertisement {
  name: string;
  port: number;
  /** WebSocket path chargers connect to (their identity appended). */
  path: string;
  tls: boolean;
}

export interface MdnsDeps {
  writer: DiscoveryWriter;
  events: EventBus;
  log: Logger;
  types: string[];
  advertise: Advertisement | null;
  /** bonjour-service / multicast-dns options, e.g. {interface, bind} or {socket}. */
  bonjour?: Record<string, unknown>;
}

const txtText = (txt: unknown) => (txt && typeof txt === 'object' ? Object.entries(txt as Record<string, unknown>).map(([k, v]) => `${k}=${Buffer.isBuffer(v) ? v.toString('utf8') : String(v)}`) : []);

export class MdnsDiscovery {
  private readonly bonjour: Bonjour;

  constructor(private readonly d: MdnsDeps) {
    this.bonjour = new Bonjour(d.bonjour ?? {}, (err: Error) => d.log.warn({ err }, 'mDNS error'));
    for (const type of d.types) this.bonjour.find({ type, protocol: 'tcp' }, (s) => this.seen(type, s));
    if (d.advertise) {
      const a = d.advertise;
      this.bonjour.publish({ name: a.name, type: 'ocpp', protocol: 'tcp', port: a.port, txt: { path: a.path, ocpp: '1.6j', tls: a.tls ? '1' : '0' } });
    }
    d.log.info({ types: d.types, advertise: d.advertise }, 'mDNS discovery on');
  }

  private seen(type: string, s: Service): void {
    // Our own advertisement comes back on the _ocpp._tcp browse: it is no device.
    if (type === 'ocpp' && s.name === this.d.advertise?.name) return;
    const ip = s.addresses?.find((a) => isIPv4(a)) ?? s.referer?.address;
    if (!ip) return;
    const txt = Object.fromEntries(txtText(s.txt).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const guess = guessVendor([{ title: s.name, server: null, certSubject: null, body: txtText(s.txt).join('\n') }]);
    this.d.writer
      .runLazy('recordSighting', {
        ip,
        source: 'mdns',
        hostname: s.host || null,
        mdnsService: { type: `_${type}._tcp`, name: s.name, port: s.port, txt },
        ...(guess && { vendor: guess.vendor, model: guess.model, vendorIsGeneric: guess.generic }),
      })
      .then(
        (device) => this.d.events.emit('discovery.device', { device }),
        (err: unknown) => this.d.log.error({ err, ip, service: s.name }, 'could not record an mDNS sighting'),
      );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.bonjour.unpublishAll(() => this.bonjour.destroy(() => resolve())));
  }
}
