import type { OcppServer } from '../../ocpp/server.js';
import { HttpError, type Route } from '../router.js';

/** Charger login lockouts (visible and liftable) and the store's health. */
export function securityRoutes(ocpp: OcppServer, storeError: () => Error | null): Route[] {
  return [
    { method: 'GET', path: '/api/security/lockouts', summary: 'Addresses locked out after failed charger logins (kind address) and identities whose logins from other addresses are slowed down (kind identity)', handler: () => ocpp.throttle.list() },
    {
      method: 'DELETE',
      path: '/api/security/lockouts/:kind/:key',
      summary: 'Lift an address lockout or an identity slow-down (kind: address or identity)',
      handler: ({ params }) => {
        if (params.kind !== 'address' && params.kind !== 'identity') throw new HttpError(400, 'kind must be address or identity', 'kind');
        if (!ocpp.throttle.clear(params.kind, params.key!)) throw new HttpError(404, `no lockout for ${params.kind} ${params.key}`, 'key');
        return { cleared: true };
      },
    },
    {
      method: 'GET',
      path: '/api/alerts',
      summary: 'Current alerts: store write failures (disk full, read-only database)',
      handler: () => {
        const err = storeError();
        return err ? [{ kind: 'store', message: err.message }] : [];
      },
    },
  ];
}
