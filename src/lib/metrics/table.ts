import { Chalk } from 'chalk';
import type { MetricsSnapshot, ServiceMetrics } from './types.js';

const NA = 'n/a';

function num(value: number | null, digits = 2): string {
  if (value === null) return NA;
  // a little traffic or CPU keeps two significant digits rather than reading as none (0.00)
  if (value !== 0 && Math.abs(value) < 10 ** -digits) return value.toPrecision(2);
  return value.toFixed(digits);
}

function seconds(value: number | null): string {
  if (value === null) return NA;
  return value < 1 ? `${(value * 1000).toFixed(0)}ms` : `${value.toFixed(2)}s`;
}

function bytes(value: number | null): string {
  if (value === null) return NA;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)}${units[i]}`;
}

function pad(
  cells: readonly string[][],
  paint: (row: number, col: number, text: string) => string,
): string[] {
  // visible widths: colour codes are added after padding
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row, r) =>
    row
      .map((cell, c) => paint(r, c, c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The compact table of `aisuite metrics`; what breaches an alert threshold is red (when colour is on). */
export function renderMetricsTable(snapshot: MetricsSnapshot, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [
    chalk.dim(`Prometheus ${snapshot.prometheusUrl} at ${snapshot.time}, window ${snapshot.window}`),
    '',
  ];
  const header = ['SERVICE', 'UP', 'REQ/S', 'ERR%', 'P50', 'P95', 'RESTARTS', 'CPU', 'MEM'];
  const breachCol: Record<string, number> = { down: 1, errorRatio: 3, latencyP95: 5, restarts: 6 };
  const rows = snapshot.services.map((s: ServiceMetrics) => [
    s.service,
    s.notScrapedYet ? 'pending' : s.up === null ? NA : s.up >= 1 ? 'up' : 'DOWN',
    num(s.requestsPerSecond),
    s.errorRatio === null ? NA : `${(s.errorRatio * 100).toFixed(1)}%`,
    seconds(s.latencyP50Seconds),
    seconds(s.latencyP95Seconds),
    s.restarts === null ? NA : String(Math.round(s.restarts)),
    s.cpuCores === null ? NA : num(s.cpuCores, 3),
    bytes(s.memoryBytes),
  ]);
  lines.push(
    ...pad([header, ...rows], (r, c, text) => {
      if (r === 0) return chalk.bold(text);
      const row = snapshot.services[r - 1]!;
      const hot = row.breaches.some((b) => breachCol[b] === c);
      return hot ? chalk.red(text) : text;
    }),
  );
  if (snapshot.services.some((s) => s.notScrapedYet)) {
    lines.push(chalk.dim('pending: not scraped yet; the first scrape comes within one scrape interval.'));
  }
  if (snapshot.services.some((s) => s.resourceSource === 'process')) {
    lines.push(chalk.dim('CPU/MEM/RESTARTS from the service process where cAdvisor is not running.'));
  }

  const inference = snapshot.services.filter((s) => s.inference);
  if (inference.length > 0) {
    lines.push('', chalk.bold('Inference'));
    lines.push(
      ...pad(
        [
          ['SERVICE', 'TOKENS/S', 'TTFT P50', 'TTFT P95'],
          ...inference.map((s) => [
            s.service,
            num(s.inference!.tokensPerSecond, 1),
            seconds(s.inference!.ttftP50Seconds),
            seconds(s.inference!.ttftP95Seconds),
          ]),
        ],
        (r, _c, text) => (r === 0 ? chalk.bold(text) : text),
      ),
    );
  }

  const gateway = snapshot.services.find((s) => s.gateway)?.gateway;
  if (gateway) {
    lines.push('', chalk.bold('Gateway'));
    const states = gateway.backends.map((b) => {
      const text = `${b.backend}=${b.stateName}`;
      return b.state >= 2 ? chalk.red(text) : b.state === 1 ? chalk.yellow(text) : chalk.green(text);
    });
    lines.push(`backends: ${states.length > 0 ? states.join(', ') : NA}`);
    const fallbacks = gateway.fallbacks.filter((f) => f.count > 0);
    lines.push(
      `fallbacks (${snapshot.window}): ${
        fallbacks.length > 0
          ? fallbacks.map((f) => `${f.from}->${f.to} ${Math.round(f.count)}`).join(', ')
          : 'none'
      }`,
    );
  }

  lines.push('', chalk.bold(`Firing alerts: ${snapshot.alerts.length}`));
  for (const a of snapshot.alerts) {
    const paint = a.severity === 'critical' ? chalk.red : chalk.yellow;
    lines.push(
      `  ${paint(`${a.severity.padEnd(8)} ${a.name}`)}${a.service ? ` (${a.service})` : ''}${a.summary ? `: ${a.summary}` : ''}`,
    );
  }
  return lines.join('\n');
}
