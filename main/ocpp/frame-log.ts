import type { LoggedFrame } from '../store/queries/message-log.js';
import type { OcppServices } from './context.js';

const FLUSH_MS = 250;
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
 * to the store, written in one batch every 250 ms rather than one write per frame.
 */
export class FrameLog {
  private frames: LoggedFrame[] = [];
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly s: Pick<OcppServices, 'config' | 'writer' | 'log'>) {
    if (s.config.messageLogMaxRows > 0) this.timer = setInterval(() => this.flush(), FLUSH_MS).unref();
  }

  record(chargePointId: string, direction: 'in' | 'out', raw: string): void {
    // The AuthorizationKey is the charger's password: never in logs or the message log.
    const text = raw.includes('AuthorizationKey') ? maskSecrets(raw) : raw;
    if (this.s.log.isLevelEnabled('debug')) this.s.log.debug({ cp: chargePointId, dir: direction, frame: text }, 'ocpp frame');
    if (this.s.config.messageLogMaxRows > 0 && this.frames.length < MAX_BUFFERED) {
      this.frames.push({ chargePointId, direction, frame: text.length > MAX_FRAME_CHARS ? text.slice(0, MAX_FRAME_CHARS) : text, at: new Date().toISOString() });
    }
  }

  /** Stops the timer and writes what is buffered. */
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** Writes what is buffered now (the timer does it every 250 ms). */
  flush(): void {
    if (!this.frames.length) return;
    const frames = this.frames;
    this.frames = [];
    void this.s.writer.runLazy('logFrames', { frames, keep: this.s.config.messageLogMaxRows }).catch((err) => this.s.log.error({ err }, 'message log write failed'));
  }
}
