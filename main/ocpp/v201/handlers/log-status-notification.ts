import { reportDiagnosticsStatus } from '../../domain/progress.js';
import type { Handler } from '../context.js';

export const logStatusNotification: Handler<'LogStatusNotification'> = (ctx, req) => reportDiagnosticsStatus(ctx, req.status);
