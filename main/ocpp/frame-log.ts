import type { FrameToLog } from '../store/queries/message-log.js';
import type { OcppServices } from './context.js';

/**
 * Each flush dirties a page of the log's per-charger index for nearly every connected charger:
 * flushing once a second instead of four times cut that write traffic by four.
 */
const FLUSH_MS = 1000;
/** Frames held between flushes at most; beyond it (a store that cannot keep up) they are not logged. */
const MAX_BUFFERED = 50_000;
/** A frame is logged up to this many characters. */
const MAX_FRAME_CHARS = 8192;

/** Replaces the value of an AuthorizationKey configuration entry in a frame's text. */
export function maskSecrets(frame: string): string {
  return frame
    .replace(/("key"\s*:\s*"AuthorizationKey"[^{}]*?"value"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"********"')
    .replace(/("value"\s*:\s*)"(?:[^"\\]|\\.)*"([^{}]*?"key"\s*:\s*"AuthorizationKey")/g, '$1"********"$2');
}

/**
 * The message log: every OCPP frame, masked, to the debug log and (with messageLogMaxRows > 0)
 * to the store, written in one batch every second rather than one write per frame.
 */
export class FrameLog {
  private frames: FrameToLog[] = [];
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly s: Pick<OcppServices, 'config' | 'writer' | 'log'>) {
    if (s.config.messageLogMaxRows > 0) this.timer = setInterval(() => this.flush(), FLUSH_MS).unref();
  }

  record(chargePointId: string, direction: 'in' | 'out', raw: string): void {
    // The AuthorizationKey is the charger's password: never in logs or the message log.
    const text = raw.includes('AuthorizationKey') ? maskSecrets(raw) : raw;
    if (this.s.log.isLevelEnabled('debug')) this.s.log.debug({ cp: chargePointId, dir: direction, frame: text }, 'ocpp frame');
    if (this.s.config.messageLogMaxRows > 0 && this.frames.length < MAX_BUFFERED) {
      this.frames.push({ chargePointId, direction, frame: text.length > MAX_FRAME_CHARS ? text.slice(0, MAX_FRAME_CHARS) : text, atMs: Date.now() });
    }
  }

  /** Stops the timer and writes what is buffered. */
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** Writes what is buffered now (the timer does it every second). */
  flush(): void {
    if (!this.frames.length) return;
    const frames = this.frames;
    this.frames = [];
    void this.s.writer.runLazy('logFrames', { frames, keep: this.s.config.messageLogMaxRows }).catch((err) => this.s.log.error({ err }, 'message log write failed'));
  }
}
