import type { Handler } from '../context.js';

/** UnknownVendorId unless a handler is registered for the vendor; every transfer is recorded. */
export const dataTransfer: Handler<'DataTransfer'> = async (ctx, req) => {
  const handler = ctx.dataTransferHandlers.get(req.vendorId);
  const res = handler ? await handler(ctx.chargePointId, req.messageId, req.data) : { status: 'UnknownVendorId' as const };
  await ctx.writer.runLazy('dataTransfer', {
    chargePointId: ctx.chargePointId,
    vendorId: req.vendorId,
    messageId: req.messageId ?? null,
    data: req.data ?? null,
    status: res.status,
    at: ctx.receivedAt,
  });
  return res;
};
