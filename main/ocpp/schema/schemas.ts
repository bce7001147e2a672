import ocpp16Json from 'ocpp-rpc/lib/schemas/ocpp1_6.json' with { type: 'json' };

/**
 * The official OCPP 1.6 JSON schemas (OCA, draft-07 conversion) as shipped by ocpp-rpc.
 * Ids look like `urn:BootNotification.req` / `urn:BootNotification.conf`.
 */
export interface OcppSchema {
  $id: string;
  [key: string]: unknown;
}

// A static import, so the desktop bundle carries the schemas (a runtime require would need ocpp-rpc shipped).
export const ocpp16Schemas: readonly OcppSchema[] = ocpp16Json as unknown as OcppSchema[];

/** `urn:Authorize.req` -> `Authorize.req`, the key the validator knows a schema by. */
export const schemaKey = (id: string): string => id.replace(/^urn:/, '');
export const requestSchemaId = (action: string): string => `${action}.req`;
export const confSchemaId = (action: string): string => `${action}.conf`;
