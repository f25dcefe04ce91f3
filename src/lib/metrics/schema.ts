import { METRICS_SCHEMA } from './types.js';

const nullableNumber = { type: ['number', 'null'] } as const;

/** JSON Schema (draft-07) of `aisuite metrics --json`; docs/RELEASES.md documents the same fields. */
export const METRICS_JSON_SCHEMA = {
  $id: 'https://aisuite.dev/schemas/metrics-v1.json',
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'prometheusUrl', 'time', 'window', 'services', 'alerts'],
  properties: {
    schema: { const: METRICS_SCHEMA },
    prometheusUrl: { type: 'string' },
    time: { type: 'string', format: 'date-time' },
    window: { type: 'string', pattern: '^[1-9][0-9]*(ms|s|m|h|d|w|y)$' },
    services: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'service',
          'up',
          'requestsPerSecond',
          'errorRatio',
          'latencyP50Seconds',
          'latencyP95Seconds',
          'restarts',
          'cpuCores',
          'memoryBytes',
          'resourceSource',
          'breaches',
        ],
        properties: {
          service: { type: 'string' },
          up: nullableNumber,
          requestsPerSecond: nullableNumber,
          errorRatio: nullableNumber,
          latencyP50Seconds: nullableNumber,
          latencyP95Seconds: nullableNumber,
          restarts: nullableNumber,
          cpuCores: nullableNumber,
          memoryBytes: nullableNumber,
          resourceSource: { enum: ['cadvisor', 'process', null] },
          notScrapedYet: { const: true },
          breaches: {
            type: 'array',
            items: { enum: ['down', 'errorRatio', 'latencyP95', 'restarts', 'backendDown', 'fallbacks'] },
          },
          inference: {
            type: 'object',
            additionalProperties: false,
            required: ['tokensPerSecond', 'ttftP50Seconds', 'ttftP95Seconds'],
            properties: {
              tokensPerSecond: nullableNumber,
              ttftP50Seconds: nullableNumber,
              ttftP95Seconds: nullableNumber,
            },
          },
          gateway: {
            type: 'object',
            additionalProperties: false,
            required: ['fallbacks', 'backends'],
            properties: {
              fallbacks: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['from', 'to', 'count'],
                  properties: { from: { type: 'string' }, to: { type: 'string' }, count: { type: 'number' } },
                },
              },
              backends: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['backend', 'state', 'stateName'],
                  properties: {
                    backend: { type: 'string' },
                    state: { type: 'number' },
                    stateName: { enum: ['healthy', 'degraded', 'down', 'unknown'] },
                  },
                },
              },
            },
          },
        },
      },
    },
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'severity', 'service', 'summary', 'activeAt'],
        properties: {
          name: { type: 'string' },
          severity: { type: 'string' },
          service: { type: ['string', 'null'] },
          summary: { type: ['string', 'null'] },
          activeAt: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
