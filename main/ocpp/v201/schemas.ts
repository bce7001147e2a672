import ocpp201Json from 'ocpp-rpc/lib/schemas/ocpp2_0_1.json' with { type: 'json' };
import type { OcppSchema } from '../schema/schemas.js';

/**
 * The official OCPP 2.0.1 JSON schemas (OCA, draft-07) as shipped by ocpp-rpc. Their ids follow
 * the 1.6 set's form (`urn:TransactionEvent.req` / `.conf`), so the same key helpers apply.
 */
export const ocpp201Schemas: readonly OcppSchema[] = ocpp201Json as unknown as OcppSchema[];
