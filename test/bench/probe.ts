/**
 * Preloaded into the measured server (edge and baseline alike) with `--import`, so the bench
 * can see inside without touching the core: garbage-collection pauses (perf_hooks 'gc'
 * entries), event-loop delay, and the V8 heap versus RSS. On SIGUSR2 it writes a snapshot
 * to $BENCH_PROBE_FILE and restarts the event-loop-delay histogram, so two snapshots bracket
 * a measurement window. Costs one observer callback per GC and a 10 ms timer.
 * With $BENCH_PROBE_PROFILE set, the V8 CPU profiler (1 ms sampling) runs between the first
 * and the second snapshot, i.e. exactly over the measurement window, and the profile is
 * written to that path (no start-up or set-up work in it, unlike --cpu-prof).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface ProbeSnapshot {
  seq: number;
  /** Totals since start: count and summed duration of GC pauses by kind. */
  gc: { count: number; ms: number; maxMs: number; minor: number; minorMs: number; major: number; majorMs: number; incremental: number; incrementalMs: number };
  /** Event-loop delay since the previous snapshot, in ms. */
  eld: { p50: number; p99: number; max: number; mean: number };
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  rssMB: number;
}

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  // The bench killed without a chance to clean up (SIGKILL): do not outlive it, and take the
  // temporary dirs it made for this server along.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    for (const d of (process.env.BENCH_TEMP_DIRS ?? '').split('\n')) if (d) rmSync(d, { recursive: true, force: true });
    process.exit(0);
  }, 1000).unref();
  const gc = { count: 0, ms: 0, maxMs: 0, minor: 0, minorMs: 0, major: 0, majorMs: 0, incremental: 0, incrementalMs: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const d = e.duration;
      gc.count++;
      gc.ms += d;
      if (d > gc.maxMs) gc.maxMs = d;
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++, (gc.minorMs += d);
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++, (gc.majorMs += d);
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) gc.incremental++, (gc.incrementalMs += d);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const profileFile = process.env.BENCH_PROBE_PROFILE;
  let session: Session | null = null;
  const toggleProfiler = (n: number) => {
    if (!profileFile) return;
    if (n === 1) {
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () => session!.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session!.post('Profiler.start')));
    } else if (n === 2 && session) {
      const s = session;
      s.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(profileFile, JSON.stringify(res.profile));
        s.disconnect();
      });
    }
  };
  let seq = 0;
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    // memoryUsage() opens /proc/self/...: at the open-file limit it throws EMFILE, and an
    // exception here would kill the server being measured.
    let m: NodeJS.MemoryUsage;
    try {
      m = process.memoryUsage();
    } catch {
      m = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
    }
    const snap: ProbeSnapshot = {
      seq: ++seq,
      gc: { ...gc },
      eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean) },
      heapUsedMB: mb(m.heapUsed),
      heapTotalMB: mb(m.heapTotal),
      externalMB: mb(m.external),
      arrayBuffersMB: mb(m.arrayBuffers),
      rssMB: mb(m.rss),
    };
    eld.reset();
    // The profile (when asked for) must be on disk before the snapshot says "done".
    if (profileFile && snap.seq === 2) toggleProfiler(2);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(snap));
      renameSync(`${file}.tmp`, file);
    } catch {
      /* no fd left: the bench gets no snapshot this time */
    }
    if (profileFile && snap.seq === 1) toggleProfiler(1);
  });
}
