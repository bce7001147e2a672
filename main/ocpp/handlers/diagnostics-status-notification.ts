import type { Handler } from '../context.js';
import { reportDiagnosticsStatus } from '../domain/progress.js';

export const diagnosticsStatusNotification: Handler<'DiagnosticsStatusNotification'> = (ctx, req) => reportDiagnosticsStatus(ctx, req.status);
