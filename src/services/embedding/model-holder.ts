/**
 * Holds the current embedder and swaps it on reload without dropping in-flight work: a request
 * leases the embedder it started with, and a replaced embedder is disposed (its memory released)
 * once its last lease ends.
 */
import type { Embedder } from './backend.js';

export interface Lease {
  embedder: Embedder;
  release(): void;
}

export class ModelHolder {
  private leases = new Map<Embedder, number>();
  private retired = new Set<Embedder>();
  private loading: Promise<Embedder> | undefined;
  reloadingTo: string | undefined;
  reloads = 0;

  constructor(
    private current: Embedder,
    private readonly onReleased: (e: Embedder) => void = () => {},
  ) {}

  get embedder(): Embedder {
    return this.current;
  }

  /** Replaced embedders whose in-flight requests have not finished yet. */
  get retiring(): number {
    return this.retired.size;
  }

  lease(): Lease {
    const embedder = this.current;
    this.leases.set(embedder, (this.leases.get(embedder) ?? 0) + 1);
    let released = false;
    return {
      embedder,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.leases.get(embedder) ?? 1) - 1;
        if (n > 0) this.leases.set(embedder, n);
        else {
          this.leases.delete(embedder);
          if (this.retired.has(embedder)) this.dispose(embedder);
        }
      },
    };
  }

  /** Loads a new embedder (one reload at a time) and makes it current; the old one retires. */
  async reload(label: string, load: () => Promise<Embedder>): Promise<Embedder> {
    if (this.loading) await this.loading.catch(() => undefined);
    this.reloadingTo = label;
    this.loading = load();
    try {
      const next = await this.loading;
      const old = this.current;
      this.current = next;
      this.reloads++;
      if (old !== next) {
        if (this.leases.has(old)) this.retired.add(old);
        else this.dispose(old);
      }
      return next;
    } finally {
      this.loading = undefined;
      this.reloadingTo = undefined;
    }
  }

  /** Disposes the current embedder and any retired one (shutdown). */
  async close(): Promise<void> {
    const all = new Set([this.current, ...this.retired]);
    this.retired.clear();
    await Promise.all([...all].map((e) => e.dispose().catch(() => undefined)));
  }

  private dispose(e: Embedder): void {
    this.retired.delete(e);
    void e.dispose().then(
      () => this.onReleased(e),
      () => this.onReleased(e),
    );
  }
}
