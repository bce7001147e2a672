import { type IdMinimums, OcppValidator } from '../validator.js';
import { ocpp201Schemas } from './schemas.js';

/**
 * EVSE and connector ids start at 1 (OCPP 2.0.1 Part 1, 3.2: "the first EVSE has id 1"; a
 * connector id is per EVSE, from 1); evseId 0 in MeterValues is the station's main meter.
 */
const V201_ID_MINIMUMS: IdMinimums = {
  'MeterValues.req': { evseId: 0 },
  'StatusNotification.req': { evseId: 1, connectorId: 1 },
};

/** A validator of the official 2.0.1 schemas (inbound calls and our own answers alike). */
export const createV201Validator = (): OcppValidator => new OcppValidator(ocpp201Schemas, V201_ID_MINIMUMS);
