import type { IdTagInfo } from '../../auth/decide.js';
import type { AuthorizeResponse } from './ocpp201.js';

export type IdTokenInfo = AuthorizeResponse['idTokenInfo'];

/**
 * The local list's decision in 2.0.1 terms. Every idToken type (ISO14443, ISO15693, Central,
 * eMAID, KeyCode, ...) is looked up by its idToken text in the same RFID table as a 1.6 idTag;
 * the parent tag is the group (groupIdToken, a token of ours, hence type Central), the expiry
 * how long the station may cache the answer.
 */
export function toIdTokenInfo(info: IdTagInfo): IdTokenInfo {
  return {
    status: info.status,
    ...(info.expiryDate && { cacheExpiryDateTime: info.expiryDate }),
    ...(info.parentIdTag && { groupIdToken: { idToken: info.parentIdTag, type: 'Central' } }),
  };
}
