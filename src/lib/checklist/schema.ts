import { PROBE_KINDS } from '../probes/index.js';
import { SEVERITIES, STAGES } from './types.js';

const str = { type: 'string', minLength: 1 } as const;
const strMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const scalar = { type: ['string', 'number', 'boolean', 'null'] } as const;
/** Numbers may be given as a placeholder such as "${port:api-gateway}". */
const num = (min = 0) => ({
  anyOf: [
    { type: 'number', minimum: min },
    { type: 'string', pattern: '^\\$\\{[^}]+\\}$' },
  ],
});
const labelExpect = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'values'],
  properties: { name: str, values: { type: 'array', items: str } },
} as const;

const probe = (kind: string, properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: { const: kind }, ...properties },
});

/** JSON Schema of every probe kind (docs/CHECKLIST.md). */
export const probeSchema = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: [...PROBE_KINDS] } },
  discriminator: { propertyName: 'kind' },
  oneOf: [
    probe(
      'http',
      {
        url: str,
        method: { enum: ['GET', 'POST', 'HEAD', 'PUT'] },
        headers: strMap,
        body: {},
        expectStatus: { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1 },
        json: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: str,
              equals: scalar,
              oneOf: { type: 'array', items: scalar, minItems: 1 },
              exists: { type: 'boolean' },
              min: { type: 'number' },
              max: { type: 'number' },
              matches: str,
              nonEmpty: { type: 'boolean' },
            },
          },
        },
        bodyContains: { type: 'string' },
        maxLatencyMs: num(1),
      },
      ['url'],
    ),
    probe(
      'mcp',
      {
        url: str,
        token: { type: 'string' },
        expectTools: { type: 'array', items: str },
        call: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: str, arguments: { type: 'object' } },
        },
      },
      ['url'],
    ),
    probe(
      'promql',
      {
        url: str,
        query: str,
        condition: {
          type: 'object',
          additionalProperties: false,
          required: ['op', 'value'],
          properties: { op: { enum: ['>', '>=', '<', '<=', '==', '!='] }, value: { type: 'number' } },
        },
        expectLabel: labelExpect,
      },
      ['url', 'query'],
    ),
    probe(
      'logql',
      {
        url: str,
        query: str,
        sinceSeconds: num(1),
        minStreams: num(0),
        expectLabel: labelExpect,
        headers: strMap,
      },
      ['url', 'query'],
    ),
    probe(
      'grafana-dashboard',
      { url: str, uid: str, prometheusUrl: str, username: str, password: { type: 'string' }, interval: str },
      ['url', 'uid', 'prometheusUrl'],
    ),
    probe('tcp', { host: str, port: num(1), expect: { enum: ['listening', 'free'] }, project: str }, [
      'host',
      'port',
      'expect',
    ]),
    probe('disk', { path: str, minFreeMiB: num(0) }, ['path', 'minFreeMiB']),
    probe(
      'file',
      {
        path: str,
        type: { enum: ['file', 'directory'] },
        minBytes: num(0),
        mode: {
          anyOf: [
            { type: 'string', pattern: '^0?[0-7]{3,4}$' },
            { type: 'integer', minimum: 0 },
          ],
        },
      },
      ['path'],
    ),
    {
      type: 'object',
      required: ['kind', 'check'],
      properties: { kind: { const: 'docker' } },
      oneOf: [
        probe('docker', { check: { const: 'engine' } }, ['check']),
        probe(
          'docker',
          {
            check: { const: 'containers' },
            project: str,
            services: { type: 'array', items: str },
            maxRestarts: num(0),
          },
          ['check', 'project'],
        ),
      ],
    },
    probe('gpu', { minCount: num(0), minFreeMemoryMiB: num(0), binary: str }, []),
    probe(
      'command',
      {
        command: { type: 'array', items: { type: 'string' }, minItems: 1 },
        expectExitCode: { type: 'integer' },
        stdoutMatches: str,
      },
      ['command'],
    ),
  ],
} as const;

/** Schema of a user checks file (`--file`): the same shape as the built-in definitions. */
export const checksFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'checks'],
  properties: {
    version: { const: 1 },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'severity', 'probe'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
          title: str,
          stage: { enum: [...STAGES] },
          severity: { enum: [...SEVERITIES] },
          remedy: str,
          troubleshooting: str,
          forEach: { enum: ['service-with-host-port', 'service-with-health', 'model-file'] },
          when: {
            type: 'object',
            additionalProperties: false,
            properties: { services: { type: 'array', items: str }, profile: { enum: ['cpu', 'gpu'] } },
          },
          needs: { type: 'array', items: str, uniqueItems: true },
          timing: {
            type: 'object',
            additionalProperties: false,
            properties: {
              timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
              periodSeconds: { type: 'number', minimum: 0 },
              failureThreshold: { type: 'integer', minimum: 1 },
              initialDelaySeconds: { type: 'number', minimum: 0 },
            },
          },
          probe: probeSchema,
        },
      },
    },
  },
} as const;
