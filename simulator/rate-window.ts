/** Counts hits inside a sliding (log) window or a fixed window aligned to multiples of its length. */
export type WindowMode = 'sliding' | 'fixed';

export class WindowCounter {
  private hits: number[] = [];
  private fixedStart = 0;
  private fixedCount = 0;

  constructor(private readonly windowMs: number, private readonly mode: WindowMode = 'sliding') {}

  /** Hits currently inside the window. */
  count(now = Date.now()): number {
    if (this.mode === 'fixed') return Math.floor(now / this.windowMs) * this.windowMs === this.fixedStart ? this.fixedCount : 0;
    while (this.hits.length > 0 && this.hits[0] <= now - this.windowMs) this.hits.shift();
    return this.hits.length;
  }

  /** Records a hit and returns the count including it. */
  add(now = Date.now()): number {
    if (this.mode === 'fixed') {
      const start = Math.floor(now / this.windowMs) * this.windowMs;
      if (start !== this.fixedStart) {
        this.fixedStart = start;
        this.fixedCount = 0;
      }
      this.fixedCount += 1;
      return this.fixedCount;
    }
    this.count(now);
    this.hits.push(now);
    return this.hits.length;
  }
}
