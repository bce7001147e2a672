/**
 * A fixed-size latency histogram in microseconds (HDR-style: exact below 2,048 us, then 1,024
 * sub-buckets per power of two, so every recorded value is kept to within 0.1 %). Recording
 * allocates nothing; two histograms merge by adding their counts, so each load-generator
 * process keeps its own and the parent adds them up.
 */
const SUB = 1024;
const LINEAR = 2 * SUB;
/** Up to 2^32 us (about 71 minutes); larger values land in the last bucket. */
const SIZE = LINEAR + 22 * SUB;

export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  maxUs = 0;
  sumUs = 0;

  constructor(counts?: Uint32Array) {
    this.counts = counts ?? new Uint32Array(SIZE);
  }

  /** Records a duration given in milliseconds (performance.now() differences). */
  recordMs(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 0) us = 0;
    if (us > this.maxUs) this.maxUs = us;
    this.sumUs += us;
    this.count++;
    this.counts[Histogram.index(us)]!++;
  }

  static index(us: number): number {
    if (us < LINEAR) return us;
    if (us >= 0xffffffff) return SIZE - 1;
    const e = 31 - Math.clz32(us);
    const shift = e - 10;
    const mant = us >>> shift;
    return Math.min(SIZE - 1, LINEAR + (shift - 1) * SUB + (mant - SUB));
  }

  /** The middle of bucket `i` in microseconds. */
  static value(i: number): number {
    if (i < LINEAR) return i;
    const shift = Math.floor((i - LINEAR) / SUB) + 1;
    const mant = ((i - LINEAR) % SUB) + SUB;
    return mant * 2 ** shift + 2 ** (shift - 1);
  }

  add(other: HistogramData): void {
    const c = other.counts;
    for (let i = 0; i < c.length; i++) if (c[i]) this.counts[i]! += c[i]!;
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
  }

  /** Percentile in milliseconds (p in 0..100); null when nothing was recorded. */
  percentileMs(p: number): number | null {
    if (!this.count) return null;
    if (p >= 100) return this.maxUs / 1000;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(Histogram.value(i), this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  summary(): LatencySummary | null {
    if (!this.count) return null;
    const r = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
    return {
      count: this.count,
      meanMs: r(this.sumUs / this.count / 1000)!,
      p50Ms: r(this.percentileMs(50))!,
      p90Ms: r(this.percentileMs(90))!,
      p99Ms: r(this.percentileMs(99))!,
      p999Ms: r(this.percentileMs(99.9))!,
      maxMs: r(this.maxUs / 1000)!,
    };
  }

  data(): HistogramData {
    return { counts: this.counts, count: this.count, maxUs: this.maxUs, sumUs: this.sumUs };
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxUs = 0;
    this.sumUs = 0;
  }
}

export interface HistogramData {
  counts: Uint32Array;
  count: number;
  maxUs: number;
  sumUs: number;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export function mergeHistograms(parts: HistogramData[]): Histogram {
  const h = new Histogram();
  for (const p of parts) h.add(p);
  return h;
}
