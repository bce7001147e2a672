import { createRequire } from 'node:module';

/**
 * The official OCPP 1.6 JSON schemas (OCA, draft-07 conversion) as shipped by ocpp-rpc.
 * Ids look like `urn:BootNotification.req` / `urn:BootNotification.conf`.
 */
export interface OcppSchema {
  $id: string;
  [key: string]: unknown;
}

const require = createRequire(import.meta.url);
export const ocpp16Schemas: readonly OcppSchema[] = require('ocpp-rpc/lib/schemas/ocpp1_6.json');

/** `urn:Authorize.req` -> `Authorize.req`, the key the validator knows a schema by. */
export const schemaKey = (id: string): string => id.replace(/^urn:/, '');
export const requestSchemaId = (action: string): string => `${action}.req`;
export const confSchemaId = (action: string): string => `${action}.conf`;
