/**
 * Scan ranges: CIDR (192.168.10.0/24), a span (192.168.10.20-192.168.10.40 or
 * 192.168.10.20-40) or one address, IPv4 only (an IPv6 subnet is too large to sweep).
 * Only private, link-local and loopback space is allowed, so the probe never touches the
 * internet, and at most a /22 (1024 addresses) at a time.
 */
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

export const MAX_ADDRESSES = 1024;

export class ScanRangeError extends Error {
  override name = 'ScanRangeError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export interface AddressRange {
  /** As the installer wrote it, normalised (`first-last`). */
  text: string;
  first: number;
  last: number;
  size: number;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function parseIpv4(text: string): number | null {
  const m = IPV4.exec(text.trim());
  if (!m) return null;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

export const formatIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** [network, prefix length, what it is]: the only space a scan may cover. */
const ALLOWED: ReadonlyArray<readonly [string, number, string]> = [
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['169.254.0.0', 16, 'link-local'],
  ['127.0.0.0', 8, 'loopback'],
];

const mask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** Private, link-local or loopback block containing the whole span, or undefined. */
function allowedBlock(first: number, last: number): string | undefined {
  for (const [net, prefix, kind] of ALLOWED) {
    const base = parseIpv4(net)!;
    const m = mask(prefix);
    if ((first & m) >>> 0 === base && (last & m) >>> 0 === base) return kind;
  }
  return undefined;
}

/** Parses and checks a range; errors name `field`. */
export function parseRange(raw: string, field = 'range'): AddressRange {
  const text = raw.trim();
  let first: number;
  let last: number;
  const cidr = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const span = /^([^-]+)-([^-]+)$/.exec(text);
  if (cidr) {
    const base = parseIpv4(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (base === null || prefix > 32) throw new ScanRangeError(`${field} "${raw}" is not an IPv4 CIDR block (e.g. 192.168.10.0/24)`, field);
    if (prefix < 22) throw new ScanRangeError(`${field} "${raw}" is larger than a /22 (${MAX_ADDRESSES} addresses): scan a smaller block`, field);
    first = (base & mask(prefix)) >>> 0;
    last = (first | (~mask(prefix) >>> 0)) >>> 0;
    // Network and broadcast addresses answer nothing on a real LAN.
    if (prefix <= 30) {
      first += 1;
      last -= 1;
    }
  } else if (span) {
    const a = parseIpv4(span[1]!);
    // "192.168.10.20-40": the end is the last octet only.
    const b = /^\d{1,3}$/.test(span[2]!.trim()) && a !== null ? parseIpv4(formatIpv4(a).replace(/\d+$/, span[2]!.trim())) : parseIpv4(span[2]!);
    if (a === null || b === null) throw new ScanRangeError(`${field} "${raw}" is not an IPv4 span (e.g. 192.168.10.20-192.168.10.40 or 192.168.10.20-40)`, field);
    if (b < a) throw new ScanRangeError(`${field} "${raw}" ends before it starts`, field);
    first = a;
    last = b;
  } else {
    const one = parseIpv4(text);
    if (one === null) throw new ScanRangeError(`${field} "${raw}" is not an IPv4 address, span (a-b) or CIDR block (a/n)`, field);
    first = last = one;
  }
  const size = last - first + 1;
  if (size > MAX_ADDRESSES) throw new ScanRangeError(`${field} "${raw}" holds ${size} addresses; at most ${MAX_ADDRESSES} (a /22) are scanned at once`, field);
  if (!allowedBlock(first, last)) {
    throw new ScanRangeError(
      `${field} "${raw}" is not wholly inside private (10/8, 172.16/12, 192.168/16), link-local (169.254/16) or loopback (127/8) space: the probe never scans other networks`,
      field,
    );
  }
  return { text: first === last ? formatIpv4(first) : `${formatIpv4(first)}-${formatIpv4(last)}`, first, last, size };
}

export function* addressesOf(r: AddressRange): Generator<string> {
  for (let n = r.first; n <= r.last; n++) yield formatIpv4(n);
}

export function inRange(r: AddressRange, ip: string): boolean {
  const n = parseIpv4(ip);
  return n !== null && n >= r.first && n <= r.last;
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** This PC's LAN IPv4 addresses (not loopback), with their netmask. */
export function lanAddresses(ifaces: Interfaces = networkInterfaces()): Array<{ address: string; netmask: string }> {
  return Object.values(ifaces)
    .flat()
    .filter((i): i is NetworkInterfaceInfo => !!i && i.family === 'IPv4' && !i.internal && allowedBlock(parseIpv4(i.address)!, parseIpv4(i.address)!) !== undefined)
    .map((i) => ({ address: i.address, netmask: i.netmask }));
}

/** The default scan: the /24 around this PC's first LAN address (loopback when it has none). */
export function defaultRange(ifaces: Interfaces = networkInterfaces()): string {
  const lan = lanAddresses(ifaces)[0];
  if (!lan) return '127.0.0.1/32';
  return `${formatIpv4((parseIpv4(lan.address)! & mask(24)) >>> 0)}/24`;
}

/**
 * The address a charger at `chargerIp` reaches this PC on: the LAN address on its subnet,
 * loopback for a charger on this PC, else the first LAN address (or null).
 */
export function localAddressFor(chargerIp: string | null, ifaces: Interfaces = networkInterfaces()): string | null {
  const target = chargerIp ? parseIpv4(chargerIp) : null;
  if (target !== null && target >>> 24 === 127) return '127.0.0.1';
  const lan = lanAddresses(ifaces);
  if (target !== null) {
    const same = lan.find((l) => {
      const m = parseIpv4(l.netmask)!;
      return (parseIpv4(l.address)! & m) >>> 0 === (target & m) >>> 0;
    });
    if (same) return same.address;
  }
  return lan[0]?.address ?? null;
}
