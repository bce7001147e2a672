import type { Handler } from '../context.js';
import { transferData } from '../domain/data-transfer.js';

export const dataTransfer: Handler<'DataTransfer'> = (ctx, req) => transferData(ctx, req.vendorId, req.messageId, req.data);
