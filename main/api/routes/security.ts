import { Type } from '@sinclair/typebox';
import type { EdgeEvents } from '../../events.js';
import type { OcppServer } from '../../ocpp/server.js';
import type { Db } from '../../store/db.js';
import { listPasswordless } from '../../store/queries/chargers.js';
import { Alert, Lockout, LockoutLifted, SecurityWarnings } from '../responses/operations.js';
import { HttpError, type Route } from '../router.js';

/**
 * The security part of the open `/health` answer: only a count. The identities themselves are
 * behind the token (`/api/security/warnings`): a list of the chargers anyone can impersonate
 * is not for an unauthenticated caller.
 */
export function securityHealth(db: Db): { passwordlessChargers: number; details: string } {
  return { passwordlessChargers: listPasswordless(db).length, details: '/api/security/warnings' };
}

/** Charger login lockouts (visible and liftable), security warnings and current alerts. */
export function securityRoutes(db: Db, ocpp: OcppServer, storeError: () => Error | null, loadAlerts: () => Array<EdgeEvents['alert']>): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/security/lockouts',
      response: Type.Array(Lockout),
      summary: 'Addresses locked out after failed charger logins (kind address) and identities whose logins from other addresses are slowed down (kind identity)',
      handler: () => ocpp.throttle.list(),
    },
    {
      method: 'DELETE',
      path: '/api/security/lockouts/:kind/:key',
      response: LockoutLifted,
      summary: 'Lift an address lockout or an identity slow-down (kind: address or identity)',
      handler: ({ params }) => {
        if (params.kind !== 'address' && params.kind !== 'identity') throw new HttpError(400, 'kind must be address or identity', 'kind');
        if (!ocpp.throttle.clear(params.kind, params.key!)) throw new HttpError(404, `no lockout for ${params.kind} ${params.key}`, 'key');
        return { cleared: true };
      },
    },
    {
      method: 'GET',
      path: '/api/security/warnings',
      response: SecurityWarnings,
      summary: 'Chargers without a password (anyone on the network can connect with their identity)',
      handler: () => ({ passwordless: listPasswordless(db) }),
    },
    {
      method: 'GET',
      path: '/api/alerts',
      response: Type.Array(Alert),
      summary:
        'Current alerts: store write failures (disk full, read-only database); the site measured over its load limit (until back under); security alerts of the last day (a connection replaced from another address)',
      handler: () => {
        const err = storeError();
        return [...(err ? [{ kind: 'store', message: err.message }] : []), ...loadAlerts(), ...ocpp.securityAlerts.list()];
      },
    },
  ];
}
