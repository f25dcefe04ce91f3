import { execFile } from 'node:child_process';

/** One GPU as reported by nvidia-smi. Memory in MiB; numbers are undefined when nvidia-smi says N/A. */
export interface GpuInfo {
  readonly index: number;
  readonly name: string;
  readonly uuid?: string;
  readonly memoryTotalMiB?: number;
  readonly memoryUsedMiB?: number;
  readonly memoryFreeMiB?: number;
  readonly driverVersion?: string;
  readonly computeCapability?: string;
  readonly utilizationPercent?: number;
  readonly temperatureC?: number;
}

/** The fields `queryGpus` asks for, in this order (also the order of a `noheader` CSV). */
export const QUERY_FIELDS = [
  'index',
  'name',
  'uuid',
  'memory.total',
  'memory.used',
  'memory.free',
  'driver_version',
  'compute_cap',
  'utilization.gpu',
  'temperature.gpu',
] as const;

function splitCsvLine(line: string): string[] {
  // nvidia-smi never quotes; GPU names contain spaces but no commas
  return line.split(',').map((cell) => cell.trim());
}

function number(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)/.exec(value.trim());
  return match ? Number(match[1]) : undefined;
}

function text(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  return v === '' || /^\[?N\/A\]?$/i.test(v) || /^\[Not Supported\]$/i.test(v) ? undefined : v;
}

function toGpu(cells: Readonly<Record<string, string>>): GpuInfo {
  const index = number(cells.index);
  const name = text(cells.name);
  if (index === undefined || name === undefined) {
    throw new Error(`nvidia-smi row without index or name: ${JSON.stringify(cells)}`);
  }
  return {
    index,
    name,
    uuid: text(cells.uuid),
    memoryTotalMiB: number(cells['memory.total']),
    memoryUsedMiB: number(cells['memory.used']),
    memoryFreeMiB: number(cells['memory.free']),
    driverVersion: text(cells.driver_version),
    computeCapability: text(cells.compute_cap),
    utilizationPercent: number(cells['utilization.gpu']),
    temperatureC: number(cells['temperature.gpu']),
  };
}

/**
 * Parse `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]`. With a header the columns are
 * found by name (units such as ` [MiB]` are ignored); without one, `fields` gives their order.
 */
export function parseQueryCsv(output: string, fields: readonly string[] = QUERY_FIELDS): GpuInfo[] {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return [];
  const hasHeader = /^index\b/i.test(lines[0] ?? '');
  const columns = hasHeader
    ? splitCsvLine(lines[0] ?? '').map((h) => h.replace(/\s*\[.*\]$/, '').toLowerCase())
    : [...fields];
  return lines.slice(hasHeader ? 1 : 0).map((line) => {
    const cells = splitCsvLine(line);
    return toGpu(Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])));
  });
}

/** Parse `nvidia-smi -L` (`GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)`). */
export function parseGpuList(output: string): Pick<GpuInfo, 'index' | 'name' | 'uuid'>[] {
  const out: Pick<GpuInfo, 'index' | 'name' | 'uuid'>[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /^GPU (\d+): (.+?)(?: \(UUID: ([^)]+)\))?\s*$/.exec(line.trim());
    if (match) out.push({ index: Number(match[1]), name: match[2] ?? '', uuid: match[3] });
  }
  return out;
}

/** Driver and CUDA versions from the banner of plain `nvidia-smi` output. */
export function parseBanner(output: string): { driverVersion?: string; cudaVersion?: string } {
  return {
    driverVersion: /Driver Version:\s*([\d.]+)/.exec(output)?.[1],
    cudaVersion: /CUDA Version:\s*([\d.]+)/.exec(output)?.[1],
  };
}

export type GpuProbe =
  | { readonly available: true; readonly gpus: readonly GpuInfo[] }
  | { readonly available: false; readonly reason: string };

/** Run nvidia-smi and report the visible GPUs, or why none can be seen. */
export async function queryGpus(
  binary = process.env.AISUITE_NVIDIA_SMI ?? 'nvidia-smi',
  timeoutMs = 10_000,
): Promise<GpuProbe> {
  const args = [`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason =
          code === 'ENOENT'
            ? `${binary} not found (no NVIDIA driver installed?)`
            : `${binary} ${args.join(' ')} failed: ${(stderr || stdout || error.message).trim().split('\n')[0]}`;
        resolve({ available: false, reason });
        return;
      }
      try {
        const gpus = parseQueryCsv(stdout);
        resolve(
          gpus.length > 0
            ? { available: true, gpus }
            : { available: false, reason: `${binary} lists no GPU` },
        );
      } catch (parseError) {
        resolve({ available: false, reason: (parseError as Error).message });
      }
    });
  });
}
