import type { OcppServices } from './context.js';

const FLUSH_MS = 5000;
const RESOLUTION_MS = 60_000;
const SLICE = 250;

/**
 * Writes the chargers' last_seen to the store every few seconds in one batch, not once per
 * heartbeat. While connected the live value is authoritative; the stored one only needs to be
 * close (it is exact at disconnect), so each charger is written at most once a minute.
 */
export class PresenceFlusher {
  private readonly lastFlushed = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly s: Pick<OcppServices, 'writer' | 'log'>,
    private readonly live: ReadonlyMap<string, { lastSeenMs: number }>,
  ) {
    this.timer = setInterval(() => this.flush(), FLUSH_MS).unref();
  }

  /** Stops the timer and writes what changed. */
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** Writes what changed now (the timer does it every 5 s). */
  flush(): void {
    const now = Date.now();
    const batch: Array<{ chargePointId: string; at: string; heartbeat: boolean }> = [];
    for (const [id, conn] of this.live) {
      const stored = this.lastFlushed.get(id) ?? 0;
      if (conn.lastSeenMs === stored || (stored && conn.lastSeenMs - stored < RESOLUTION_MS && now - stored < RESOLUTION_MS)) continue;
      this.lastFlushed.set(id, conn.lastSeenMs);
      batch.push({ chargePointId: id, at: new Date(conn.lastSeenMs).toISOString(), heartbeat: true });
    }
    for (const id of this.lastFlushed.keys()) if (!this.live.has(id)) this.lastFlushed.delete(id);
    // Small slices spread over time: one big UPDATE batch would stall every charger's answer.
    for (let i = 0; i < batch.length; i += SLICE) {
      const slice = batch.slice(i, i + SLICE);
      const write = () => void this.s.writer.runLazy('presence', slice).catch((err) => this.s.log.error({ err }, 'presence write failed'));
      if (i === 0) write();
      else setTimeout(write, (i / SLICE) * 20).unref();
    }
  }
}
