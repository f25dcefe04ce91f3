import { SERVICE_NAMES } from '../suite/catalog.js';
import {
  MODEL_GROUPS,
  RATE_PATTERN,
  type GatewaySettings,
  type McpSettings,
} from '../suite/service-settings.js';

const serviceMap = (value: object) => ({
  type: 'object',
  propertyNames: { enum: [...SERVICE_NAMES] },
  additionalProperties: value,
});

/** JSON Schema of aisuite.yaml (documented in docs/CONFIG.md). */
export const configSchema = {
  $id: 'https://aisuite.dev/schemas/aisuite.yaml.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
    phase: { enum: [1, 2, 3] },
    profile: { enum: ['cpu', 'gpu'] },
    monitoring: { type: 'boolean' },
    bindAddress: { type: 'string', format: 'ipv4' },
    modelsDir: { type: 'string', minLength: 1 },
    secretsFile: { type: 'string', minLength: 1 },
    images: serviceMap({ type: 'string', minLength: 1 }),
    ports: serviceMap({ type: 'integer', minimum: 1, maximum: 65535 }),
    components: {
      type: 'object',
      additionalProperties: false,
      properties: { without: { type: 'array', items: { enum: [...SERVICE_NAMES] }, uniqueItems: true } },
    },
    gpu: {
      type: 'object',
      additionalProperties: false,
      properties: {
        nGpuLayers: { type: 'integer', minimum: 0, maximum: 999 },
        chatModel: { type: 'string', pattern: '^[^/]+\\.gguf$' },
        codeModel: { type: 'string', pattern: '^[^/]+\\.gguf$' },
        contextSize: { type: 'integer', minimum: 256 },
      },
    },
    embedding: {
      type: 'object',
      additionalProperties: false,
      properties: { model: { type: 'string', minLength: 1 } },
    },
    alerting: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // where each alert's runbook_url points: `{alert}` becomes the alert's lower-cased name
        runbookUrl: { type: 'string', pattern: '^https?://[^\\s]*\\{alert\\}[^\\s]*$' },
        receivers: {
          type: 'object',
          additionalProperties: false,
          properties: {
            webhook: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'url'],
                properties: {
                  name: { type: 'string', minLength: 1 },
                  url: { type: 'string', format: 'uri' },
                },
              },
            },
            slack: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'apiUrl', 'channel'],
                properties: {
                  name: { type: 'string', minLength: 1 },
                  apiUrl: { type: 'string', format: 'uri' },
                  channel: { type: 'string', pattern: '^[#@]' },
                },
              },
            },
            email: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'to', 'from', 'smarthost'],
                properties: {
                  name: { type: 'string', minLength: 1 },
                  to: { type: 'string', format: 'email' },
                  from: { type: 'string', format: 'email' },
                  smarthost: { type: 'string', pattern: '^[^:\\s]+:[0-9]+$' },
                },
              },
            },
          },
        },
      },
    },
    gateway: {
      type: 'object',
      additionalProperties: false,
      // the api-gateway's router settings, in LiteLLM's words (docs/services.md: ROUTER_* variables)
      properties: {
        timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
        streamTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
        numRetries: { type: 'integer', minimum: 0, maximum: 10 },
        allowedFails: { type: 'integer', minimum: 0, maximum: 1000 },
        cooldownSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        fallbacks: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(
            MODEL_GROUPS.map((g) => [
              g,
              { type: 'array', items: { enum: [...MODEL_GROUPS] }, uniqueItems: true },
            ]),
          ),
        },
        codeRouting: { type: 'boolean' },
      },
    },
    mcp: {
      type: 'object',
      additionalProperties: false,
      // the mcp-server's limits (docs/MCP.md: MCP_* variables)
      properties: {
        rateLimit: { type: 'string', pattern: RATE_PATTERN },
        approvalTtlMinutes: { type: 'integer', minimum: 1, maximum: 10080 },
        allowSelfApproval: { type: 'boolean' },
      },
    },
    prometheus: {
      type: 'object',
      additionalProperties: false,
      // Prometheus scrapes every target and evaluates the rules this often (the rules' windows are 5m+)
      properties: { scrapeIntervalSeconds: { type: 'integer', minimum: 1, maximum: 60 } },
    },
    loki: {
      type: 'object',
      additionalProperties: false,
      properties: { retentionHours: { type: 'integer', minimum: 24 } },
    },
    checklist: {
      type: 'object',
      additionalProperties: false,
      properties: {
        urls: serviceMap({ type: 'string', pattern: '^https?://[^/]+' }),
        deadlineSeconds: { type: 'number', exclusiveMinimum: 0 },
        concurrency: { type: 'integer', minimum: 1 },
        file: { type: 'string', minLength: 1 },
      },
    },
    build: {
      type: 'object',
      additionalProperties: false,
      properties: {
        nodeImage: { type: 'string', minLength: 1 },
        caFile: { type: 'string', minLength: 1 },
        useSystemCa: { type: 'boolean' },
      },
    },
  },
} as const;

export interface AisuiteConfig {
  project?: string;
  phase?: 1 | 2 | 3;
  profile?: 'cpu' | 'gpu';
  monitoring?: boolean;
  bindAddress?: string;
  modelsDir?: string;
  secretsFile?: string;
  images?: Record<string, string>;
  ports?: Record<string, number>;
  components?: { without?: string[] };
  gpu?: { nGpuLayers?: number; chatModel?: string; codeModel?: string; contextSize?: number };
  embedding?: { model?: string };
  alerting?: {
    runbookUrl?: string;
    receivers?: {
      webhook?: { name: string; url: string }[];
      slack?: { name: string; apiUrl: string; channel: string }[];
      email?: { name: string; to: string; from: string; smarthost: string }[];
    };
  };
  gateway?: GatewaySettings;
  mcp?: McpSettings;
  prometheus?: { scrapeIntervalSeconds?: number };
  loki?: { retentionHours?: number };
  build?: { nodeImage?: string; caFile?: string; useSystemCa?: boolean };
  checklist?: {
    urls?: Record<string, string>;
    deadlineSeconds?: number;
    concurrency?: number;
    file?: string;
  };
}
