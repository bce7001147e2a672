/**
 * Worker thread of test/fuzz/ocpp-frames.test.ts: runs one fast-check property per fuzz socket
 * and generates the frames, so generation (the costly part of a fuzz run) uses the second
 * core while the main thread runs the server and the sockets. The property of a run: every
 * frame of the batch got its OCPP-J answer; the main thread sends the batch and reports back
 * which frames did not.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { templateArb, toWire } from './ocpp-frame-gen.js';

export interface FuzzJob {
  seed: number;
  sockets: number;
  runsPerSocket: number;
  batch: number;
}
export type ToMain =
  | { type: 'batch'; socket: number; run: number; frames: ReturnType<typeof toWire>[] }
  | { type: 'done'; socket: number; failed: boolean; seed: number; path: string | null; error: string | null; runs: number };
export interface ToWorker {
  socket: number;
  run: number;
  failures: string[];
}

const job = workerData as FuzzJob;
const port = parentPort!;
const verdicts = new Map<string, (failures: string[]) => void>();
port.on('message', (m: ToWorker) => verdicts.get(`${m.socket}:${m.run}`)?.(m.failures));

async function fuzzSocket(socket: number): Promise<void> {
  let run = 0;
  let seq = 0;
  const details = await fc.check(
    // The input of a run is the seed of its batch: fc.sample of that seed rebuilds the batch
    // exactly (and, unlike an fc.array input, keeps no shrink state for 1000 values per socket).
    fc.asyncProperty(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })), async (batchSeed) => {
      const r = ++run;
      // ids unique over the whole connection, short enough to leave room under 36 characters
      const frames = fc.sample(templateArb, { seed: batchSeed, numRuns: job.batch }).map((t) => toWire(t, `${socket}.${(++seq).toString(36)}`));
      const failures = await new Promise<string[]>((resolve) => {
        verdicts.set(`${socket}:${r}`, resolve);
        port.postMessage({ type: 'batch', socket, run: r, frames } satisfies ToMain);
      });
      verdicts.delete(`${socket}:${r}`);
      if (failures.length) throw new Error(`batch seed ${batchSeed}: ${failures.length} wrong answers on fuzz socket ${socket}:\n  ${failures.slice(0, 8).join('\n  ')}`);
    }),
    // No shrinking: each failure names its frame; the batch replays from its seed.
    { seed: job.seed + socket, numRuns: job.runsPerSocket, endOnFailure: true },
  );
  port.postMessage({
    type: 'done',
    socket,
    failed: details.failed,
    seed: details.seed,
    path: details.counterexamplePath,
    error: details.failed ? String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance) : null,
    runs: details.numRuns,
  } satisfies ToMain);
}

await Promise.all(Array.from({ length: job.sockets }, (_, i) => fuzzSocket(i)));
