import { listIdTags } from '../../store/queries/id-tags.js';
import { getLocalListVersion, getSentEntries, saveLocalList, setLocalListVersion, type LocalListEntry } from '../../store/queries/local-list.js';
import type { SendLocalListRequest } from '../../ocpp/schema/ocpp16.js';
import type { CommandOutcome } from '../service.js';
import { nowIso, type CommandEffect, type EffectDeps } from './types.js';

type AuthorizationData = NonNullable<SendLocalListRequest['localAuthorizationList']>[number];

/** The local RFID table as the charger's local list should hold it. */
export function desiredEntries(d: EffectDeps, now = new Date()): LocalListEntry[] {
  return listIdTags(d.db).map((t) => ({
    idTag: t.tagId,
    status: t.status === 'Blocked' ? 'Blocked' : t.validUntil && Date.parse(t.validUntil) <= now.getTime() ? 'Expired' : 'Accepted',
    expiryDate: t.validUntil,
    parentIdTag: t.parentIdTag,
  }));
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

/** Records what the charger holds once it accepted a SendLocalList (built by us or sent raw). */
export const sendLocalList: CommandEffect<'SendLocalList'> = {
  after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    const list = req.localAuthorizationList ?? [];
    const entries = list
      .filter((a) => a.idTagInfo)
      .map((a) => ({ idTag: a.idTag, status: a.idTagInfo!.status, expiryDate: a.idTagInfo!.expiryDate ?? null, parentIdTag: a.idTagInfo!.parentIdTag ?? null }));
    const removed = list.filter((a) => !a.idTagInfo).map((a) => a.idTag);
    saveLocalList(d.db, cp, req.listVersion, entries, removed, req.updateType === 'Full', nowIso());
  },
};

export const getLocalListVersionEffect: CommandEffect<'GetLocalListVersion'> = {
  after(d, cp, _req, res) {
    const expected = getLocalListVersion(d.db, cp);
    return { expectedVersion: expected, inSync: expected === res.listVersion };
  },
};

/**
 * Brings a charger's local list in line with the RFID table: Full sends everything,
 * Differential only what changed since the list it last accepted. On VersionMismatch it reads
 * the charger's version and falls back to a Full update, as OCPP 1.6 §5.15 suggests.
 */
export async function syncLocalList(d: EffectDeps, cp: string, updateType: 'Full' | 'Differential', by: string): Promise<CommandOutcome<'SendLocalList'>> {
  const desired = desiredEntries(d);
  let request: SendLocalListRequest;
  if (updateType === 'Full') {
    request = { listVersion: getLocalListVersion(d.db, cp) + 1, updateType, localAuthorizationList: desired.map(toAuthorizationData) };
  } else {
    const sent = new Map(getSentEntries(d.db, cp).map((e) => [e.idTag, e]));
    const wanted = new Set(desired.map((e) => e.idTag));
    const changes: AuthorizationData[] = desired.filter((e) => !sent.has(e.idTag) || !same(sent.get(e.idTag)!, e)).map(toAuthorizationData);
    for (const tag of sent.keys()) if (!wanted.has(tag)) changes.push({ idTag: tag });
    request = { listVersion: getLocalListVersion(d.db, cp) + 1, updateType, localAuthorizationList: changes };
  }
  const outcome = await d.execute(cp, 'SendLocalList', request, by);
  if (outcome.response.status !== 'VersionMismatch') return outcome;
  const version = await d.execute(cp, 'GetLocalListVersion', {}, by);
  setLocalListVersion(d.db, cp, Math.max(version.response.listVersion, 0), nowIso());
  const retry = await syncLocalList(d, cp, 'Full', by);
  return { ...retry, recoveredFrom: 'VersionMismatch' };
}
