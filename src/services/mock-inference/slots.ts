import type { MockInferenceMetrics } from './metrics.js';

/** llama.cpp-like parallel slots: at most `n` generations at once, the rest wait (deferred). */
export class Slots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly n: number) {}

  async acquire(m: MockInferenceMetrics): Promise<void> {
    if (this.n === 0 || this.busy < this.n) {
      this.busy++;
      return;
    }
    m.deferred.inc();
    await new Promise<void>((r) => this.waiting.push(r));
    m.deferred.dec();
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}
