import type { Handler } from '../context.js';

/** last_seen is flushed in batches by the presence tracker, not per heartbeat. */
export const heartbeat: Handler<'Heartbeat'> = () => ({ currentTime: new Date().toISOString() });
