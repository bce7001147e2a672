import { authorizeForCharger } from '../../../auth/authorize.js';
import type { Handler } from '../context.js';
import { toIdTokenInfo } from '../id-token.js';

export const authorize: Handler<'Authorize'> = (ctx, req) => ({
  idTokenInfo: toIdTokenInfo(authorizeForCharger(ctx.db, ctx.chargePointId, req.idToken.idToken)),
});
