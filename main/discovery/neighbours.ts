/**
 * The OS neighbour (ARP) table: which MAC answered for which IPv4 address on the LAN.
 * Linux: /proc/net/arp; Windows: `arp -a`; macOS: `arp -an`. Only complete unicast entries.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export type NeighbourTable = Map<string, string>;

/** aa:bb:cc:dd:ee:ff, lower case; null for incomplete, broadcast or multicast entries. */
export function normaliseMac(raw: string): string | null {
  const parts = raw.trim().toLowerCase().split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-f]{1,2}$/.test(p))) return null;
  const mac = parts.map((p) => p.padStart(2, '0')).join(':');
  if (mac === '00:00:00:00:00:00' || mac === 'ff:ff:ff:ff:ff:ff') return null;
  // The group bit of the first byte: multicast, never a device.
  if (parseInt(parts[0]!, 16) & 1) return null;
  return mac;
}

const add = (table: NeighbourTable, ip: string | undefined, mac: string | undefined) => {
  const m = mac && normaliseMac(mac);
  if (ip && m) table.set(ip, m);
};

/** Linux /proc/net/arp: header line, then `IP HWtype Flags MAC Mask Device`; flags 0x0 = incomplete. */
export function parseProcNetArp(text: string): NeighbourTable {
  const table: NeighbourTable = new Map();
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, mac] = line.trim().split(/\s+/);
    if (flags && flags !== '0x0') add(table, ip, mac);
  }
  return table;
}

/** Windows `arp -a`: per interface, lines `  192.168.10.1   00-11-22-33-44-55   dynamic`. */
export function parseArpA(text: string): NeighbourTable {
  const table: NeighbourTable = new Map();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d{1,3}(?:\.\d{1,3}){3})\s+([0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5})\s+\w+/.exec(line);
    if (m) add(table, m[1], m[2]);
  }
  return table;
}

/** macOS `arp -an`: `? (192.168.10.1) at 0:11:22:33:44:55 on en0 ifscope [ethernet]`. */
export function parseArpAn(text: string): NeighbourTable {
  const table: NeighbourTable = new Map();
  for (const line of text.split('\n')) {
    const m = /\((\d{1,3}(?:\.\d{1,3}){3})\) at ([0-9a-fA-F:]+) /.exec(line);
    if (m) add(table, m[1], m[2]);
  }
  return table;
}

const run = (cmd: string, args: string[]) => new Promise<string>((resolve, reject) => execFile(cmd, args, { timeout: 5000, windowsHide: true }, (err, out) => (err ? reject(err) : resolve(out))));

/** Reads this machine's neighbour table; an empty table where the OS gives none. */
export async function readNeighbours(platform: NodeJS.Platform = process.platform): Promise<NeighbourTable> {
  try {
    if (platform === 'linux') return parseProcNetArp(await readFile('/proc/net/arp', 'utf8'));
    if (platform === 'win32') return parseArpA(await run('arp', ['-a']));
    if (platform === 'darwin') return parseArpAn(await run('arp', ['-an']));
  } catch (err) {
    throw new Error(`could not read the neighbour table on ${platform}`, { cause: err });
  }
  return new Map();
}
