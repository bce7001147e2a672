import type { Handler } from '../context.js';
import { reportFirmwareStatus } from '../domain/progress.js';

export const firmwareStatusNotification: Handler<'FirmwareStatusNotification'> = (ctx, req) => reportFirmwareStatus(ctx, req.status);
