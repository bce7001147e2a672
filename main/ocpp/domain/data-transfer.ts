import type { HandlerContext } from '../context.js';

type Status = 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';

/**
 * A vendor's DataTransfer, whichever version carried it (2.0.1's `data` arrives as JSON text):
 * UnknownVendorId unless a handler is registered for the vendor; every transfer is recorded.
 */
export async function transferData(ctx: HandlerContext, vendorId: string, messageId: string | undefined, data: string | undefined): Promise<{ status: Status; data?: string }> {
  const handler = ctx.dataTransferHandlers.get(vendorId);
  const res = handler ? await handler(ctx.chargePointId, messageId, data) : { status: 'UnknownVendorId' as const };
  await ctx.writer.runLazy('dataTransfer', {
    chargePointId: ctx.chargePointId,
    vendorId,
    messageId: messageId ?? null,
    data: data ?? null,
    status: res.status,
    at: ctx.receivedAt,
  });
  return res;
}
