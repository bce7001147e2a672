import { authorizeForCharger } from '../../auth/authorize.js';
import type { Handler } from '../context.js';

export const authorize: Handler<'Authorize'> = (ctx, req) => ({
  idTagInfo: authorizeForCharger(ctx.db, ctx.chargePointId, req.idTag),
});
