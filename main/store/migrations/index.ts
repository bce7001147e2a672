import type { Db } from '../db.js';
import { m001Init } from './001-init.js';
import { m002Commands } from './002-commands.js';
import { m003InferredStops } from './003-inferred-stops.js';
import { m004PendingPassword } from './004-pending-password.js';
import { m005ActiveTagIndex } from './005-active-tag-index.js';
import { m006ExactIdentities } from './006-exact-identities.js';
import { m007NormalisedValues } from './007-normalised-values.js';
import { m011Discovery } from './011-discovery.js';

/** Migration N is at index N-1; never edit one that has shipped, add the next. */
export const migrations: ReadonlyArray<(db: Db) => void> = [m001Init, m002Commands, m003InferredStops, m004PendingPassword, m005ActiveTagIndex, m006ExactIdentities, m007NormalisedValues, m011Discovery];
