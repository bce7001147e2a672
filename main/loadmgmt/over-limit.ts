/** Raises one alert when the measured site current stays over the limit too long, and one when it is back under. */
export class OverLimitWatch {
  private overSince: number | null = null;
  private raised = false;

  constructor(private readonly holdMs: number) {}

  /** What to announce after this reading, if anything. */
  update(measuredAmps: number, limitAmps: number | null, nowMs: number): 'raised' | 'cleared' | null {
    if (limitAmps === null || measuredAmps <= limitAmps) {
      this.overSince = null;
      if (!this.raised) return null;
      this.raised = false;
      return 'cleared';
    }
    this.overSince ??= nowMs;
    if (this.raised || nowMs - this.overSince < this.holdMs) return null;
    this.raised = true;
    return 'raised';
  }
}
