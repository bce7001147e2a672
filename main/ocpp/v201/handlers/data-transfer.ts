import { transferData } from '../../domain/data-transfer.js';
import type { Handler } from '../context.js';

/** 2.0.1 `data` may be any JSON: kept and handed to vendor handlers as JSON text. */
export const dataTransfer: Handler<'DataTransfer'> = async (ctx, req) => {
  const data = req.data === undefined ? undefined : typeof req.data === 'string' ? req.data : JSON.stringify(req.data);
  const res = await transferData(ctx, req.vendorId, req.messageId, data);
  return { status: res.status, ...(res.data !== undefined && { data: res.data }) };
};
