import type { FailureType } from './config.js';
import { prng } from './generate.js';

/** Failure injection; the draw sequence is seeded so a run with a given rate is reproducible. */
export class Faults {
  private readonly rand: () => number;
  constructor(
    public rate: number,
    public type: FailureType,
    seed: number,
  ) {
    this.rand = prng(seed ^ 0x5bd1e995);
  }

  /** The failure to inject for the next request, or undefined. */
  draw(): FailureType | undefined {
    if (this.rate <= 0) return undefined;
    return this.rand() < this.rate ? this.type : undefined;
  }
}
