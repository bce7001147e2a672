import type { Db } from '../db.js';
import { m001Init } from './001-init.js';
import { m002Commands } from './002-commands.js';
import { m003InferredStops } from './003-inferred-stops.js';
import { m004PendingPassword } from './004-pending-password.js';
import { m005ActiveTagIndex } from './005-active-tag-index.js';
import { m006ExactIdentities } from './006-exact-identities.js';
import { m007NormalisedValues } from './007-normalised-values.js';
import { m008TagMaxSessions } from './008-tag-max-sessions.js';
import { m009SyncOutbox } from './009-sync-outbox.js';
import { m010Discovery } from './010-discovery.js';
import { m011LoadManagement } from './011-load-management.js';
import { m012MeterIdentityByTime } from './012-meter-identity-by-time.js';
import { m013Ocpp201 } from './013-ocpp201.js';
import { m014ChargerAddressIndexes } from './014-charger-address-indexes.js';
import { m015DropUnusedTagIndex } from './015-drop-unused-tag-index.js';

/** Migration N is at index N-1; never edit one that has shipped, add the next. */
export const migrations: ReadonlyArray<(db: Db) => void> = [
  m001Init,
  m002Commands,
  m003InferredStops,
  m004PendingPassword,
  m005ActiveTagIndex,
  m006ExactIdentities,
  m007NormalisedValues,
  m008TagMaxSessions,
  m009SyncOutbox,
  m010Discovery,
  m011LoadManagement,
  m012MeterIdentityByTime,
  m013Ocpp201,
  m014ChargerAddressIndexes,
  m015DropUnusedTagIndex,
];
