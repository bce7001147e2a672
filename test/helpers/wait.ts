/**
 * Waiting in tests: for a condition, with a bound, never for a fixed time that merely tends to
 * be long enough (such sleeps hid races, e.g. a backup name collision within one second).
 */

export interface WaitOptions {
  /** Give up after this long (default 3 s). */
  timeoutMs?: number;
  /** Named in the timeout error. */
  what?: string;
  /** Poll interval (default 10 ms). */
  stepMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `cond` until it returns a truthy value and returns that value. A throw counts as "not
 * yet" (so an assertion can be the condition); after `timeoutMs` the error names `what` and
 * carries the last throw as its cause.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 3000, what = 'condition', stepMs = 10 } = opts;
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as Truthy<T>;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * A window in which the test proves that something does NOT happen (no frame, no write, no
 * event): the one place a fixed wait is the point. Keep it short; name what is watched.
 */
export const quietWindow = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
