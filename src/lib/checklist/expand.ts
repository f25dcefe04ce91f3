import { isSecretName } from '../secrets/store.js';
import type { CheckTemplate } from './definitions.js';
import type { ChecklistTarget, ServiceTarget } from './target.js';
import { DEFAULT_TIMING, type Check, type Timing } from './types.js';
import type { ProbeSpec } from '../probes/types.js';

/** A placeholder that cannot be filled here; the check is reported failed (or skipped) with the reason. */
class Unresolved extends Error {
  constructor(
    message: string,
    readonly skip?: string,
  ) {
    super(message);
  }
}

type Each = Readonly<Record<string, string | number | undefined>> & { readonly '': string };

function serviceOf(target: ChecklistTarget, name: string): ServiceTarget {
  const svc = target.services.find((s) => s.name === name);
  if (!svc) {
    const why = target.leftOut[name];
    throw new Unresolved(`service ${name} is not part of this suite`, why ?? `unknown service ${name}`);
  }
  return svc;
}

function lookup(target: ChecklistTarget, each: Each | undefined, key: string): string | number {
  const [kind, arg] = key.includes(':')
    ? [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)]
    : [key, ''];
  switch (kind) {
    case 'project':
      return target.project;
    case 'secretsFile':
      return target.secretsFile;
    case 'modelsDir':
      return target.modelsDir;
    case 'dockerRoot':
      return target.dockerRoot;
    case 'embeddingModel':
      return target.embeddingModel;
    case 'url': {
      const url = serviceOf(target, arg).url;
      if (!url) throw new Unresolved(`service ${arg} has no host port (set checklist.urls.${arg})`);
      return url;
    }
    case 'host':
      return serviceOf(target, arg).host;
    case 'port': {
      const port = serviceOf(target, arg).hostPort;
      if (port === undefined) throw new Unresolved(`service ${arg} has no host port`);
      return port;
    }
    case 'secret': {
      if (!isSecretName(arg)) throw new Unresolved(`unknown secret ${arg}`);
      const value = target.secrets[arg];
      if (value === undefined) throw new Unresolved(`secret ${arg} is missing from ${target.secretsFile}`);
      return value;
    }
    default: {
      if (kind === 'each' || kind.startsWith('each.')) {
        const field = kind === 'each' ? '' : kind.slice(5);
        const value = each?.[field];
        if (value === undefined) throw new Unresolved(`\${${key}} has no value here`);
        return value;
      }
      throw new Unresolved(`unknown placeholder \${${key}}`);
    }
  }
}

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/** Fills `${...}` in a string; a string that is one placeholder keeps the value's type (ports stay numbers). */
export function fillString(text: string, target: ChecklistTarget, each?: Each): string | number {
  const whole = /^\$\{([^}]+)\}$/.exec(text);
  if (whole) return lookup(target, each, whole[1]!);
  return text.replace(PLACEHOLDER, (_m, key: string) => String(lookup(target, each, key)));
}

function listOf(target: ChecklistTarget, name: string): string[] {
  if (name === 'services') return target.services.map((s) => s.name);
  if (name === 'package-services') return target.services.filter((s) => s.isPackage).map((s) => s.name);
  if (name === 'scraped-services') return target.services.filter((s) => s.scraped).map((s) => s.name);
  throw new Unresolved(`unknown list \${list:${name}}`);
}

function fill(value: unknown, target: ChecklistTarget, each?: Each): unknown {
  if (typeof value === 'string') return fillString(value, target, each);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const list = typeof item === 'string' ? /^\$\{list:([^}]+)\}$/.exec(item) : null;
      return list ? listOf(target, list[1]!) : [fill(item, target, each)];
    });
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, target, each)]));
  }
  return value;
}

/** The template's timing; one that retries for some scrape intervals gets the attempts those take. */
export function timingFor(template: CheckTemplate, scrapeIntervalSeconds: number): Timing {
  const timing = { ...DEFAULT_TIMING, ...template.timing };
  if (template.retryForScrapes === undefined) return timing;
  const attempts = Math.ceil((template.retryForScrapes * scrapeIntervalSeconds) / timing.periodSeconds) + 1;
  return { ...timing, failureThreshold: Math.max(timing.failureThreshold, attempts) };
}

function items(template: CheckTemplate, target: ChecklistTarget): Each[] {
  switch (template.forEach) {
    case undefined:
      return [];
    case 'model-file':
      return target.modelFiles.map((p) => ({ '': p.split('/').pop()!, path: p }));
    case 'service-with-host-port':
      return target.services
        .filter((s) => s.hostPort !== undefined)
        .map((s) => ({ '': s.name, host: s.host, port: s.hostPort, url: s.url }));
    case 'service-with-health':
      return target.services
        .filter((s) => s.healthPath !== undefined && s.url !== undefined)
        .map((s) => ({ '': s.name, url: s.url, healthPath: s.healthPath, host: s.host, port: s.hostPort }));
  }
}

/** Why a template does not apply to this suite (`profile=cpu`, `without=grafana`), or undefined. */
export function skipReason(template: CheckTemplate, target: ChecklistTarget): string | undefined {
  if (template.when?.profile && template.when.profile !== target.profile) return `profile=${target.profile}`;
  for (const name of template.when?.services ?? []) {
    if (!target.services.some((s) => s.name === name)) return target.leftOut[name] ?? `without=${name}`;
  }
  return undefined;
}

function toCheck(
  template: CheckTemplate,
  target: ChecklistTarget,
  id: string,
  each: Each | undefined,
  skip: string | undefined,
  source: string,
): Check {
  const text = (s: string) => {
    try {
      return String(fillString(s, target, each));
    } catch {
      return s;
    }
  };
  const common = {
    id,
    title: text(template.title),
    stage: template.stage,
    severity: template.severity,
    remedy: text(template.remedy),
    needs: template.needs ?? [],
    timing: timingFor(template, target.scrapeIntervalSeconds),
    source,
  };
  if (skip !== undefined) return { ...common, probe: template.probe as unknown as ProbeSpec, skip };
  try {
    return { ...common, probe: fill(template.probe, target, each) as ProbeSpec };
  } catch (error) {
    if (!(error instanceof Unresolved)) throw error;
    const probe = template.probe as unknown as ProbeSpec;
    return error.skip !== undefined
      ? { ...common, probe, skip: error.skip }
      : { ...common, probe, invalid: error.message };
  }
}

/**
 * Turns templates into runnable checks for this suite, in template order. A `forEach` template becomes
 * one check per item (`<id>-<item>`); one that does not apply becomes a single skipped check.
 */
export function expandTemplates(
  templates: readonly CheckTemplate[],
  target: ChecklistTarget,
  source: (t: CheckTemplate) => string = () => 'builtin',
): Check[] {
  const out: Check[] = [];
  for (const template of templates) {
    const skip = skipReason(template, target);
    if (!template.forEach) {
      out.push(toCheck(template, target, template.id, undefined, skip, source(template)));
      continue;
    }
    const list = skip === undefined ? items(template, target) : [];
    if (list.length === 0) {
      out.push(
        toCheck(template, target, template.id, undefined, skip ?? 'nothing to check', source(template)),
      );
      continue;
    }
    for (const each of list)
      out.push(toCheck(template, target, `${template.id}-${each['']}`, each, undefined, source(template)));
  }
  return out;
}
