import { reportFirmwareStatus } from '../../domain/progress.js';
import type { Handler } from '../context.js';

export const firmwareStatusNotification: Handler<'FirmwareStatusNotification'> = (ctx, req) => reportFirmwareStatus(ctx, req.status);
