import { createHook } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Holds every libuv threadpool thread (each blocked opening a FIFO nobody writes yet), so that
 * work queued to the pool (scrypt password hashing) is started but cannot finish until
 * `release()`. Lets a test put an event exactly inside an `await hashPassword(...)`.
 */
export async function holdThreadpool(): Promise<{ scryptQueued: Promise<void>; release: () => Promise<void> }> {
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const dir = mkdtempSync(join(tmpdir(), 'threadpool-hold-'));
  const fifos = Array.from({ length: size }, (_, i) => join(dir, `f${i}`));
  execFileSync('mkfifo', fifos);
  const readers = fifos.map((f) => open(f, 'r'));
  let queued!: () => void;
  const scryptQueued = new Promise<void>((r) => (queued = r));
  const hook = createHook({
    init(_id, type) {
      if (type === 'SCRYPTREQUEST') queued();
    },
  }).enable();
  return {
    scryptQueued,
    release: async () => {
      hook.disable();
      // A writer opening the FIFO completes the reader's open on the pool thread.
      const writers = fifos.map((f) => openSync(f, 'w'));
      for (const r of await Promise.all(readers)) await r.close();
      for (const w of writers) closeSync(w);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
