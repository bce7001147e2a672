/**
 * Provisioning a charger: its record with a strong basic-auth password (security profile 1),
 * the settings an installer types into it, and its first connection watched live: connected,
 * BootNotification, each connector's status, then its target group's configuration template
 * through ChangeConfiguration and the local authorization list, every step recorded.
 */
import { randomInt } from 'node:crypto';
import type { networkInterfaces } from 'node:os';
import { hashPassword } from '../auth/password.js';
import type { Config } from '../config/schema.js';
import { normaliseAddress } from '../desktop/external-url.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { Db } from '../store/db.js';
import type { DiscoveryWriter } from '../store/discovery-ops.js';
import { type Charger, type ChargerFields, getCharger } from '../store/queries/chargers.js';
import { getProvisioning, getTemplate, isProvisioning, type ProvisioningStep, type ProvisioningStepName } from '../store/queries/provisioning.js';
import { localAddressFor } from './ranges.js';

/** What provisioning asks of the command service (composed in main/app.ts). */
export interface ProvisioningCommands {
  /** ChangeConfiguration; resolves with the charger's status (Accepted, Rejected, RebootRequired, NotSupported). */
  changeConfiguration(chargePointId: string, key: string, value: string): Promise<string>;
  /** A Full SendLocalList from the RFID table; resolves with the charger's status. */
  sendLocalList(chargePointId: string): Promise<string>;
  /** Soft reset; resolves with the charger's status. */
  reset(chargePointId: string): Promise<string>;
}

/** Where the OCPP server listens (known once the app has started). */
export interface ListenInfo {
  port: number;
  tlsPort: number | null;
}

export interface ProvisionerDeps {
  config: Config;
  db: Db;
  writer: DiscoveryWriter;
  events: EventBus;
  log: Logger;
  commands: ProvisioningCommands;
  listen(): ListenInfo;
  interfaces?: () => ReturnType<typeof networkInterfaces>;
}

/** What to type into the charger's web config. */
export interface ConnectionSettings {
  chargePointId: string;
  centralSystemUrl: string;
  ocppVersion: '1.6-J';
  /** The basic-auth password (AuthorizationKey): only in the answer that created it. */
  password: string | null;
  hasPassword: boolean;
  heartbeatIntervalSec: number;
  /** Text for a QR code with all of the above (the UI renders it). */
  qrText: string;
  /** The address chosen: this PC's on the charger's subnet when known. */
  address: string;
  note: string | null;
}

/** Template value that makes provisioning send each charger a fresh key of its own. */
export const GENERATE = 'generate';

// Installers type it by hand: no 0/O, 1/l/I look-alikes. 24 of 54 symbols: about 138 bits.
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function generatePassword(length = 24): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface NewCharger extends ChargerFields {
  chargePointId: string;
  /** null: no password (the installer opted out); undefined: one is generated. */
  password?: string | null;
}

export class Provisioner {
  private readonly offs: Array<() => void> = [];
  /** Connectors whose first status since the last boot was recorded, per charger being provisioned. */
  private readonly watching = new Map<string, Set<number>>();
  private readonly applying = new Map<string, Promise<void>>();

  constructor(private readonly d: ProvisionerDeps) {
    const { events } = d;
    this.offs.push(
      events.on('charger.connected', (e) =>
        this.whileOpen(e.chargePointId, () => this.step(e.chargePointId, 'connected', true, { remoteAddress: normaliseAddress(e.remoteAddress), remotePort: e.remotePort })),
      ),
      events.on('charger.disconnected', (e) => this.watching.delete(e.chargePointId)),
      events.on('charger.booted', (e) =>
        this.whileOpen(e.chargePointId, () => {
          this.watching.set(e.chargePointId, new Set());
          // Deferred so the BootNotification answer goes out before our first call.
          if (e.status !== 'Rejected') setImmediate(() => void this.applyTemplate(e.chargePointId, 'first boot').catch(() => undefined));
          return this.step(e.chargePointId, 'boot', e.status !== 'Rejected', { status: e.status, vendor: e.vendor, model: e.model });
        }),
      ),
      events.on('connector.status', (e) => {
        const seen = this.watching.get(e.chargePointId);
        if (!seen || seen.has(e.connectorId)) return;
        seen.add(e.connectorId);
        this.step(e.chargePointId, 'connector-status', e.errorCode === 'NoError', { connectorId: e.connectorId, status: e.status, errorCode: e.errorCode }).catch((err: unknown) =>
          this.d.log.error({ err, cp: e.chargePointId }, 'could not record a provisioning step'),
        );
      }),
    );
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** Runs `fn` for a charger whose provisioning has not finished (template not yet applied). */
  private whileOpen(cp: string, fn: () => Promise<unknown>): void {
    const p = getProvisioning(this.d.db, cp);
    if (p && !p.templateAppliedAt) fn().catch((err: unknown) => this.d.log.error({ err, cp }, 'could not record a provisioning step'));
  }

  /** Recorded, then announced: the event stream never shows a step the store lost. */
  private async step(cp: string, step: ProvisioningStepName, ok: boolean, detail: Record<string, unknown>): Promise<void> {
    const s: ProvisioningStep = { chargePointId: cp, step, ok, at: new Date().toISOString(), detail };
    await this.d.writer.run('addProvisioningStep', s);
    this.d.events.emit('provisioning.step', s);
  }

  async create(input: NewCharger): Promise<{ charger: Charger; settings: ConnectionSettings }> {
    const { chargePointId, password: given, ...fields } = input;
    const taken = () => new ProvisioningError(409, `charger ${chargePointId} already exists`, 'chargePointId');
    if (getCharger(this.d.db, chargePointId)) throw taken();
    const password = given === undefined ? generatePassword() : given;
    const passwordHash = password === null ? null : await hashPassword(password);
    // Checked again inside the write: another request may have taken the id while we hashed.
    if (!(await this.d.writer.run('provisionCharger', { chargePointId, fields, passwordHash }))) throw taken();
    await this.step(chargePointId, 'created', true, { generatedPassword: given === undefined, hasPassword: password !== null, targetGroup: fields.targetGroup ?? null });
    return { charger: getCharger(this.d.db, chargePointId)!, settings: this.settings(chargePointId, password) };
  }

  /** What to type into the charger; the password only when the caller has it in clear. */
  settings(cp: string, password: string | null = null): ConnectionSettings {
    const charger = getCharger(this.d.db, cp);
    if (!charger) throw new ProvisioningError(404, `no charger ${cp}`, 'cpId');
    const { port, tlsPort } = this.d.listen();
    const wildcard = ['0.0.0.0', '::', ''].includes(this.d.config.host);
    const address = wildcard ? (localAddressFor(charger.ipAddress, this.d.interfaces?.()) ?? '127.0.0.1') : this.d.config.host;
    const host = address.includes(':') ? `[${address}]` : address;
    const centralSystemUrl = tlsPort !== null ? `wss://${host}:${tlsPort}/ocpp/${encodeURIComponent(cp)}` : `ws://${host}:${port}/ocpp/${encodeURIComponent(cp)}`;
    const heartbeatIntervalSec = this.d.config.heartbeatIntervalSec;
    const lines = [`OCPP 1.6-J`, `Central system URL: ${centralSystemUrl}`, `Charge point ID: ${cp}`, ...(password ? [`Password: ${password}`] : []), `Heartbeat interval: ${heartbeatIntervalSec} s`];
    const note = !charger.hasPassword
      ? 'No password set: anyone on the LAN can connect with this identity (security profile 0). Set one.'
      : password
        ? 'The password is shown this once; it is stored hashed. Set a new one on the charger record if it is lost.'
        : 'The password was shown when the charger was created (it is stored hashed).';
    return { chargePointId: cp, centralSystemUrl, ocppVersion: '1.6-J', password, hasPassword: charger.hasPassword, heartbeatIntervalSec, qrText: lines.join('\n'), address, note };
  }

  /**
   * Sends the target group's template key by key, then the local list. Once per charger at
   * first boot (again on request); a failed call stops it, and the next boot tries again.
   */
  applyTemplate(cp: string, why: string): Promise<void> {
    const running = this.applying.get(cp);
    if (running) return running;
    const p = this.apply(cp, why).finally(() => this.applying.delete(cp));
    this.applying.set(cp, p);
    return p;
  }

  private async apply(cp: string, why: string): Promise<void> {
    const group = getCharger(this.d.db, cp)?.targetGroup ?? null;
    const template = group ? getTemplate(this.d.db, group) : undefined;
    let rebootRequired = false;
    try {
      for (const [key, value] of Object.entries(template?.keys ?? {})) {
        const sent = key === 'AuthorizationKey' && value === GENERATE ? generatePassword() : value;
        const status = await this.d.commands.changeConfiguration(cp, key, sent);
        rebootRequired ||= status === 'RebootRequired';
        await this.step(cp, 'template-key', status === 'Accepted' || status === 'RebootRequired', { key, status, ...(key !== 'AuthorizationKey' && { value: sent }) });
      }
      await this.step(cp, 'template-applied', true, { targetGroup: group, template: template ? template.targetGroup : null, keys: Object.keys(template?.keys ?? {}).length, why });
      if (rebootRequired) await this.step(cp, 'reboot-required', true, { message: 'a key takes effect after a reboot: POST /api/provisioning/{cpId}/reboot' });
      if (template?.sendLocalList ?? true) {
        const status = await this.d.commands.sendLocalList(cp);
        await this.step(cp, 'local-list', status === 'Accepted', { status });
      }
      await this.d.writer.run('markTemplateApplied', { chargePointId: cp, rebootRequired });
    } catch (err) {
      this.d.log.warn({ err, cp }, 'provisioning template not applied');
      await this.step(cp, 'template-applied', false, { targetGroup: group, error: (err as Error).message, why }).catch(() => undefined);
      throw err;
    }
  }

  async reboot(cp: string): Promise<string> {
    if (!isProvisioning(this.d.db, cp)) throw new ProvisioningError(404, `${cp} is not being provisioned`, 'cpId');
    const status = await this.d.commands.reset(cp);
    if (status === 'Accepted') await this.d.writer.run('clearRebootRequired', { chargePointId: cp });
    return status;
  }
}
