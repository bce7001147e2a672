import { decideIdTag } from '../../auth/decide.js';
import { entryOf } from '../../map-entry.js';
import type { SendLocalListRequest } from '../../ocpp/schema/ocpp16.js';
import { getConfiguration } from '../../store/queries/charger-config.js';
import { listIdTags } from '../../store/queries/id-tags.js';
import { getLocalListVersion, getSentEntries, type LocalListEntry } from '../../store/queries/local-list.js';
import { CommandError } from '../errors.js';
import type { CommandOutcome } from '../service.js';
import { type CommandEffect, type EffectDeps, nowIso } from './types.js';

type AuthorizationData = NonNullable<SendLocalListRequest['localAuthorizationList']>[number];

/**
 * The local RFID table as the charger's local list should hold it: the idTagInfo an Authorize
 * would answer (Active -> Accepted, Blocked, past validUntil -> Expired; expiryDate as a full
 * UTC date-time, parentIdTag).
 */
export function desiredEntries(d: EffectDeps, now = new Date()): LocalListEntry[] {
  return listIdTags(d.db).map((t) => {
    const info = decideIdTag(t, now, false);
    return { idTag: t.tagId, status: info.status, expiryDate: info.expiryDate ?? null, parentIdTag: info.parentIdTag ?? null };
  });
}

const toAuthorizationData = (e: LocalListEntry): AuthorizationData => ({
  idTag: e.idTag,
  idTagInfo: {
    status: e.status as 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx',
    ...(e.expiryDate && { expiryDate: e.expiryDate }),
    ...(e.parentIdTag && { parentIdTag: e.parentIdTag }),
  },
});

const same = (a: LocalListEntry, b: LocalListEntry) => a.status === b.status && a.expiryDate === b.expiryDate && a.parentIdTag === b.parentIdTag;

/** The charger's list, as it last accepted it, differs from what the RFID table says it should hold. */
export function localListOutdated(d: EffectDeps, cp: string): boolean {
  const sent = new Map(getSentEntries(d.db, cp).map((e) => [e.idTag, e]));
  const desired = desiredEntries(d);
  return desired.length !== sent.size || desired.some((e) => !sent.has(e.idTag) || !same(sent.get(e.idTag)!, e));
}

/** Records what the charger holds once it accepted a SendLocalList (built by us or sent raw). */
export const sendLocalList: CommandEffect<'SendLocalList'> = {
  async after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    const list = req.localAuthorizationList ?? [];
    const entries = list
      .filter((a) => a.idTagInfo)
      .map((a) => ({ idTag: a.idTag, status: a.idTagInfo!.status, expiryDate: a.idTagInfo!.expiryDate ?? null, parentIdTag: a.idTagInfo!.parentIdTag ?? null }));
    const removed = list.filter((a) => !a.idTagInfo).map((a) => a.idTag);
    await d.writer.run('recordLocalList', { chargePointId: cp, version: req.listVersion, entries, removed, full: req.updateType === 'Full', at: nowIso() });
  },
};

export const getLocalListVersionEffect: CommandEffect<'GetLocalListVersion'> = {
  after(d, cp, _req, res) {
    const expected = getLocalListVersion(d.db, cp);
    return { expectedVersion: expected, inSync: expected === res.listVersion };
  },
};

/** The charger's local list limits (OCPP 1.6 §9.1 LocalAuthListMaxLength, SendLocalListMaxLength); null: not known. */
export interface LocalListLimits {
  /** Entries in one SendLocalList. */
  sendLocalListMaxLength: number | null;
  /** Entries the charger's list can hold in total. */
  localAuthListMaxLength: number | null;
}

const LIMIT_KEYS = { sendLocalListMaxLength: 'SendLocalListMaxLength', localAuthListMaxLength: 'LocalAuthListMaxLength' } as const;

function limitsFromSnapshot(d: EffectDeps, cp: string): { limits: LocalListLimits; missing: string[] } {
  const snapshot = new Map(getConfiguration(d.db, cp).map((e) => [e.key, e.value]));
  const limits: LocalListLimits = { sendLocalListMaxLength: null, localAuthListMaxLength: null };
  const missing: string[] = [];
  for (const [field, key] of Object.entries(LIMIT_KEYS) as Array<[keyof LocalListLimits, string]>) {
    const raw = snapshot.get(key);
    const n = raw == null || raw.trim() === '' ? NaN : Number(raw);
    if (Number.isInteger(n) && n >= 1) limits[field] = n;
    else missing.push(key);
  }
  return { limits, missing };
}

/**
 * Entries per SendLocalList when the charger does not say (no SendLocalListMaxLength in its
 * configuration): about 6 KB a message at ~57 bytes an entry, which fits the small receive
 * buffers of embedded charger firmware; 1,001 tags unsplit made one 57 KB frame.
 */
export const ASSUMED_SEND_LOCAL_LIST_MAX_LENGTH = 100;

/**
 * The limits from the configuration snapshot; keys it does not hold are read from the charger
 * with a GetConfiguration (which also stores them). A charger that does not know the keys, or
 * refuses the GetConfiguration with a CALLERROR, is sent lists of ASSUMED_SEND_LOCAL_LIST_MAX_LENGTH
 * entries a message, with no total cap (its own answer decides).
 */
export async function localListLimits(d: EffectDeps, cp: string, by: string): Promise<LocalListLimits> {
  const first = limitsFromSnapshot(d, cp);
  if (!first.missing.length) return first.limits;
  try {
    await d.execute(cp, 'GetConfiguration', { key: first.missing }, by);
  } catch (err) {
    if (err instanceof CommandError && err.kind === 'call-error') return first.limits;
    throw err;
  }
  return limitsFromSnapshot(d, cp).limits;
}

/** One SendLocalList message of an update. */
export interface LocalListPart {
  updateType: 'Full' | 'Differential';
  listVersion: number;
  entries: number;
  status: string;
}

function chunk<T>(items: T[], size: number): T[][] {
  if (!items.length) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Updates of one charger run one after another: interleaved versions would make both fail. */
const queues = new WeakMap<EffectDeps, Map<string, Promise<unknown>>>();

function serialized<T>(d: EffectDeps, cp: string, fn: () => Promise<T>): Promise<T> {
  const perCharger = entryOf(queues, d, () => new Map());
  const previous = perCharger.get(cp) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => {});
  perCharger.set(cp, tail);
  void tail.then(() => perCharger.get(cp) === tail && perCharger.delete(cp));
  return run;
}

/**
 * Brings a charger's local list in line with the RFID table.
 *
 * - Full sends everything, Differential only what changed since the list the charger last
 *   accepted. A Differential is sent only when the charger still holds the version we gave it
 *   (checked with GetLocalListVersion: a replaced or reset charger, or a list loaded behind
 *   our back, gets a Full instead); a VersionMismatch answer also falls back to a Full
 *   (OCPP 1.6 §5.15).
 * - Split to the charger's SendLocalListMaxLength (ASSUMED_SEND_LOCAL_LIST_MAX_LENGTH when it does
 *   not say): a Full is its first chunk as a Full and the
 *   rest as Differentials, each with the next version; a Differential's changes are chunked the
 *   same way, removals first so the list never grows past its final size on the way.
 * - A table larger than the charger's LocalAuthListMaxLength is refused before anything is
 *   sent (CommandError 'invalid': the charger would otherwise hold a silently truncated list).
 * - Stops at the first message the charger does not accept: the outcome is that message's
 *   answer, and `parts` lists every message sent; the store reflects what was accepted.
 */
export function syncLocalList(d: EffectDeps, cp: string, updateType: 'Full' | 'Differential', by: string): Promise<CommandOutcome<'SendLocalList'>> {
  return serialized(d, cp, () => runSync(d, cp, updateType, by));
}

async function runSync(d: EffectDeps, cp: string, updateType: 'Full' | 'Differential', by: string): Promise<CommandOutcome<'SendLocalList'>> {
  if (!d.ocpp.connection(cp)) throw new CommandError('not-connected', `${cp} is not connected`);
  const limits = await localListLimits(d, cp, by);
  const desired = desiredEntries(d);
  const cap = limits.localAuthListMaxLength;
  if (cap !== null && desired.length > cap) {
    const err = new CommandError(
      'invalid',
      `the RFID table has ${desired.length} cards but ${cp} holds at most ${cap} (LocalAuthListMaxLength): ${desired.length - cap} would not fit; nothing was sent`,
      { field: 'localAuthorizationList' },
    );
    await d.recordRefusal(cp, 'SendLocalList', { updateType, cards: desired.length, localAuthListMaxLength: cap }, by, err);
    throw err;
  }
  const extra: Record<string, unknown> = {};
  let type = updateType;
  // A Full after a divergence goes above both versions; ours stays as it was until the
  // charger accepts, so a failed Full still leaves the versions differing (next time: Full again).
  let base = getLocalListVersion(d.db, cp);
  if (type === 'Differential') {
    const held = (await d.execute(cp, 'GetLocalListVersion', {}, by)).response.listVersion;
    // -1: no local list support; the SendLocalList itself answers NotSupported.
    if (held >= 0 && held !== base) {
      type = 'Full';
      extra.fullBecause = `${cp} holds list version ${held}, not ${base}: its list is not the one we sent, so a Full update was sent`;
      base = Math.max(base, held);
    }
  }
  let result = await sendParts(d, cp, type, desired, limits, base, by);
  if (result.outcome.response.status === 'VersionMismatch') {
    const held = (await d.execute(cp, 'GetLocalListVersion', {}, by)).response.listVersion;
    const recovered = await sendParts(d, cp, 'Full', desired, limits, Math.max(getLocalListVersion(d.db, cp), held, 0), by);
    result = { outcome: recovered.outcome, parts: [...result.parts, ...recovered.parts] };
    extra.recoveredFrom = 'VersionMismatch';
    type = 'Full';
  }
  const entriesPerMessage = limits.sendLocalListMaxLength ?? ASSUMED_SEND_LOCAL_LIST_MAX_LENGTH;
  return { ...result.outcome, ...extra, updateType: type, messages: result.parts.length, parts: result.parts, listVersion: getLocalListVersion(d.db, cp), limits, entriesPerMessage };
}

async function sendParts(
  d: EffectDeps,
  cp: string,
  updateType: 'Full' | 'Differential',
  desired: LocalListEntry[],
  limits: LocalListLimits,
  baseVersion: number,
  by: string,
): Promise<{ outcome: CommandOutcome<'SendLocalList'>; parts: LocalListPart[] }> {
  let items: AuthorizationData[];
  if (updateType === 'Full') items = desired.map(toAuthorizationData);
  else {
    const sent = new Map(getSentEntries(d.db, cp).map((e) => [e.idTag, e]));
    const wanted = new Set(desired.map((e) => e.idTag));
    const removals: AuthorizationData[] = [...sent.keys()].filter((tag) => !wanted.has(tag)).map((idTag) => ({ idTag }));
    const changes = desired.filter((e) => !sent.has(e.idTag) || !same(sent.get(e.idTag)!, e)).map(toAuthorizationData);
    items = [...removals, ...changes];
  }
  const chunks = chunk(items, limits.sendLocalListMaxLength ?? ASSUMED_SEND_LOCAL_LIST_MAX_LENGTH);
  const parts: LocalListPart[] = [];
  let outcome!: CommandOutcome<'SendLocalList'>;
  for (const [i, list] of chunks.entries()) {
    const request: SendLocalListRequest = {
      listVersion: baseVersion + i + 1,
      updateType: i === 0 ? updateType : 'Differential',
      localAuthorizationList: list,
    };
    outcome = await d.execute(cp, 'SendLocalList', request, by);
    parts.push({ updateType: request.updateType, listVersion: request.listVersion, entries: list.length, status: outcome.response.status });
    if (outcome.response.status !== 'Accepted') break;
  }
  return { outcome, parts };
}
