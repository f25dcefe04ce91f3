/** Small PromQL builders so dashboard and rule expressions read the same everywhere. */

/**
 * node-exporter file systems that hold data: pseudo and in-memory file systems (and the host's /proc, /sys,
 * /run mounts) say nothing about the disk the suite's volumes live on.
 */
export const REAL_FILESYSTEMS = `fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.*",mountpoint!~"/(proc|sys|run)(/.*)?"`;

/** Grafana's rate window: at least four scrape intervals, whatever the zoom. */
export const RATE_WINDOW = '$__rate_interval';

const braces = (selector: string) => (selector === '' ? '' : `{${selector}}`);

export function rate(metric: string, selector = '', window = RATE_WINDOW): string {
  return `rate(${metric}${braces(selector)}[${window}])`;
}

export function sumRate(metric: string, by: string, selector = '', window = RATE_WINDOW): string {
  return `sum${by === '' ? '' : ` by (${by})`} (${rate(metric, selector, window)})`;
}

/** The q-quantile of a histogram, aggregated by `by` (plus `le`). */
export function quantile(
  q: number,
  histogram: string,
  by: string,
  selector = '',
  window = RATE_WINDOW,
): string {
  return `histogram_quantile(${q}, ${sumRate(`${histogram}_bucket`, by === '' ? 'le' : `${by}, le`, selector, window)})`;
}

/**
 * Share of `selector`-matching events among all, by `by`; 0 (not empty) while nothing failed, so a
 * panel shows a flat line instead of "No data".
 */
export function ratio(metric: string, by: string, failed: string, all: string, window = RATE_WINDOW): string {
  const join = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a},${b}`);
  const total = sumRate(metric, by, all, window);
  return `(${sumRate(metric, by, join(all, failed), window)} or ${total} * 0) / ${total}`;
}
