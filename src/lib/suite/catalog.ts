import type { SecretName } from '../secrets/store.js';
import { DEFAULT_IMAGES } from './images.js';
import type { Healthcheck, ImageSource, Phase, Profile, ServiceGroup, ServiceSpec } from './types.js';

/** Inputs that shape individual services (already validated). */
export interface CatalogOptions {
  readonly phase: Phase;
  readonly profile: Profile;
  readonly packageImage: string;
  readonly modelsDir: string;
  readonly nGpuLayers: number;
  readonly chatModelFile: string;
  readonly codeModelFile: string;
  readonly contextSize: number;
  readonly embeddingModel: string;
  readonly lokiRetentionHours: number;
}

/** Every package service listens on this port inside its container. */
export const SERVICE_PORT = 8080;

const pkg = (ref: string): ImageSource => ({ kind: 'package', ref });
const reg = (ref: string): ImageSource => ({ kind: 'registry', ref });

function httpCheck(url: string, tool: 'node' | 'wget' | 'curl', startPeriodSeconds = 5): Healthcheck {
  const test =
    tool === 'node'
      ? // node:http, not fetch(): fetch loads undici on first use, ~130 ms of CPU per check against
        // ~20 ms, every interval, in every Node service
        [
          'CMD',
          'node',
          '-e',
          `require('http').get('${url}',r=>process.exit(r.statusCode>=200&&r.statusCode<300?0:1)).on('error',()=>process.exit(1))`,
        ]
      : tool === 'wget'
        ? ['CMD', 'wget', '-q', '--spider', url]
        : ['CMD', 'curl', '-fsS', '-o', '/dev/null', url];
  return { test, intervalSeconds: 5, timeoutSeconds: 3, retries: 5, startPeriodSeconds };
}

type Draft = Omit<
  ServiceSpec,
  | 'volumes'
  | 'binds'
  | 'secrets'
  | 'dependsOn'
  | 'resources'
  | 'tmpfs'
  | 'restart'
  | 'readOnlyRootFilesystem'
  | 'environment'
> &
  Partial<
    Pick<
      ServiceSpec,
      | 'volumes'
      | 'binds'
      | 'secrets'
      | 'dependsOn'
      | 'resources'
      | 'tmpfs'
      | 'restart'
      | 'readOnlyRootFilesystem'
      | 'environment'
    >
  >;

function service(draft: Draft): ServiceSpec {
  return {
    volumes: [],
    binds: [],
    secrets: {},
    dependsOn: [],
    resources: {},
    tmpfs: [],
    restart: 'unless-stopped',
    readOnlyRootFilesystem: false,
    environment: {},
    ...draft,
  };
}

/** A service that runs from this package's services image. */
function packageService(
  name: string,
  group: ServiceGroup,
  description: string,
  program: string,
  hostPort: number,
  o: CatalogOptions,
  extra: Partial<Draft> = {},
): ServiceSpec {
  return service({
    name,
    group,
    description,
    image: pkg(o.packageImage),
    command: ['node', 'dist/services/main.js', program],
    ports: [{ name: 'http', container: SERVICE_PORT, host: hostPort }],
    user: '1000:1000',
    readOnlyRootFilesystem: true,
    tmpfs: ['/tmp'],
    healthcheck: httpCheck(`http://127.0.0.1:${SERVICE_PORT}/readyz`, 'node'),
    readiness: { port: SERVICE_PORT, path: '/readyz' },
    metrics: { port: SERVICE_PORT, path: '/metrics' },
    timeBudgetSeconds: 30,
    resources: { memoryMb: 512 },
    ...extra,
    environment: {
      HOST: '0.0.0.0',
      PORT: String(SERVICE_PORT),
      NODE_ENV: 'production',
      ...extra.environment,
    },
  });
}

function inference(
  name: 'inference-chat' | 'inference-code',
  hostPort: number,
  o: CatalogOptions,
): ServiceSpec {
  const group = name === 'inference-chat' ? 'chat' : 'code';
  if (o.profile === 'cpu') {
    return packageService(
      name,
      'phase1',
      `${group} model (mock-inference, CPU profile)`,
      'mock-inference',
      hostPort,
      o,
      {
        environment: { MODEL_NAME: group, MOCK_SEED: group === 'chat' ? '1' : '2' },
      },
    );
  }
  const file = group === 'chat' ? o.chatModelFile : o.codeModelFile;
  return service({
    name,
    group: 'phase1',
    description: `${group} model (llama.cpp server, GPU profile)`,
    image: reg(DEFAULT_IMAGES['llama-cpp']),
    command: [
      '--model',
      `/models/${file}`,
      '--alias',
      group,
      '--host',
      '0.0.0.0',
      '--port',
      String(SERVICE_PORT),
      '--n-gpu-layers',
      String(o.nGpuLayers),
      '--ctx-size',
      String(o.contextSize),
      '--metrics',
    ],
    ports: [{ name: 'http', container: SERVICE_PORT, host: hostPort }],
    binds: [{ source: o.modelsDir, target: '/models', readOnly: true }],
    healthcheck: httpCheck(`http://127.0.0.1:${SERVICE_PORT}/health`, 'curl', 60),
    readiness: { port: SERVICE_PORT, path: '/health' },
    metrics: { port: SERVICE_PORT, path: '/metrics' },
    gpu: { driver: 'nvidia', count: 'all', capabilities: ['gpu'] },
    timeBudgetSeconds: 600,
    resources: { memoryMb: group === 'chat' ? 8192 : 16384 },
  });
}

const POSTGRES_USER = 'aisuite';
const POSTGRES_DB = 'aisuite';
const pgEnv = { PGHOST: 'postgres', PGPORT: '5432', PGUSER: POSTGRES_USER, PGDATABASE: POSTGRES_DB };
const pgSecret: Record<string, SecretName> = { PGPASSWORD: 'postgres-password' };

/** Every service of the suite for the given options, before selection by phase and components. */
export function catalog(o: CatalogOptions): readonly ServiceSpec[] {
  const internal = (svc: string) => `http://${svc}:${SERVICE_PORT}`;
  return [
    inference('inference-chat', 8001, o),
    inference('inference-code', 8004, o),
    packageService(
      'api-gateway',
      'phase1',
      'OpenAI-compatible gateway (chat and code model groups)',
      'api-gateway',
      8000,
      o,
      {
        environment: {
          CHAT_BACKEND_URL: internal('inference-chat'),
          CODE_BACKEND_URL: internal('inference-code'),
          EMBEDDING_URL: internal('embedding'),
        },
        secrets: { GATEWAY_API_KEY: 'gateway-api-key' },
        dependsOn: [
          { service: 'inference-chat', condition: 'started' },
          { service: 'inference-code', condition: 'started' },
        ],
      },
    ),
    packageService('embedding', 'phase2', 'embedding service (TEI-compatible)', 'embedding', 8003, o, {
      environment:
        o.profile === 'gpu'
          ? { EMBEDDING_BACKEND: 'onnx', EMBEDDING_MODEL: o.embeddingModel, MODELS_DIR: '/models' }
          : { EMBEDDING_BACKEND: 'hashing', EMBEDDING_MODEL: o.embeddingModel },
      binds: o.profile === 'gpu' ? [{ source: o.modelsDir, target: '/models', readOnly: true }] : [],
      timeBudgetSeconds: o.profile === 'gpu' ? 180 : 30,
    }),
    service({
      name: 'postgres',
      group: 'phase2',
      description: 'PostgreSQL 17 with pgvector (documents, chunks, vectors)',
      image: reg(DEFAULT_IMAGES.postgres),
      ports: [{ name: 'postgres', container: 5432, host: 5432 }],
      environment: { POSTGRES_USER, POSTGRES_DB },
      secrets: { POSTGRES_PASSWORD: 'postgres-password' },
      volumes: [{ volume: 'postgres-data', target: '/var/lib/postgresql/data' }],
      healthcheck: {
        test: ['CMD', 'pg_isready', '-U', POSTGRES_USER, '-d', POSTGRES_DB, '-h', '127.0.0.1'],
        intervalSeconds: 2,
        timeoutSeconds: 3,
        retries: 15,
        startPeriodSeconds: 10,
      },
      timeBudgetSeconds: 180,
      resources: { memoryMb: 1024 },
    }),
    packageService('rag', 'phase2', 'retrieval-augmented generation on pgvector', 'rag', 8002, o, {
      environment: { ...pgEnv, EMBEDDING_URL: internal('embedding'), GATEWAY_URL: internal('api-gateway') },
      secrets: { ...pgSecret, GATEWAY_API_KEY: 'gateway-api-key' },
      dependsOn: [
        { service: 'postgres', condition: 'healthy' },
        { service: 'embedding', condition: 'started' },
      ],
      timeBudgetSeconds: 60,
    }),
    packageService(
      'mcp-server',
      'phase3',
      'MCP tool server (RBAC, approvals, rate limits)',
      'mcp-server',
      8020,
      o,
      {
        environment: {
          RAG_URL: internal('rag'),
          GATEWAY_URL: internal('api-gateway'),
          MCP_DB_PATH: '/data/rbac.sqlite',
        },
        secrets: { MCP_ADMIN_TOKEN: 'mcp-admin-token', GATEWAY_API_KEY: 'gateway-api-key' },
        volumes: [{ volume: 'mcp-data', target: '/data' }],
        dependsOn: [{ service: 'rag', condition: 'started' }],
      },
    ),
    service({
      name: 'prometheus',
      group: 'monitoring',
      description: 'Prometheus (metrics, alert rules)',
      image: reg(DEFAULT_IMAGES.prometheus),
      command: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        '--storage.tsdb.retention.time=15d',
        '--web.enable-lifecycle',
      ],
      ports: [{ name: 'http', container: 9090, host: 9090 }],
      binds: [{ source: 'prometheus', target: '/etc/prometheus', readOnly: true }],
      volumes: [{ volume: 'prometheus-data', target: '/prometheus' }],
      user: '65534:65534',
      healthcheck: httpCheck('http://127.0.0.1:9090/-/ready', 'wget'),
      readiness: { port: 9090, path: '/-/ready' },
      metrics: { port: 9090, path: '/metrics' },
      timeBudgetSeconds: 60,
      resources: { memoryMb: 1024 },
    }),
    service({
      name: 'alertmanager',
      group: 'monitoring',
      description: 'Alertmanager (routing and notification)',
      image: reg(DEFAULT_IMAGES.alertmanager),
      command: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
      ports: [{ name: 'http', container: 9093, host: 9093 }],
      binds: [{ source: 'alertmanager', target: '/etc/alertmanager', readOnly: true }],
      volumes: [{ volume: 'alertmanager-data', target: '/alertmanager' }],
      user: '65534:65534',
      healthcheck: httpCheck('http://127.0.0.1:9093/-/ready', 'wget'),
      readiness: { port: 9093, path: '/-/ready' },
      metrics: { port: 9093, path: '/metrics' },
      timeBudgetSeconds: 60,
    }),
    service({
      name: 'grafana',
      group: 'monitoring',
      description: 'Grafana (dashboards)',
      image: reg(DEFAULT_IMAGES.grafana),
      ports: [{ name: 'http', container: 3000, host: 3001 }],
      environment: {
        GF_SECURITY_ADMIN_USER: 'admin',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_AUTH_ANONYMOUS_ENABLED: 'false',
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
        GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
      },
      secrets: { GF_SECURITY_ADMIN_PASSWORD: 'grafana-admin-password' },
      binds: [
        { source: 'grafana/provisioning', target: '/etc/grafana/provisioning', readOnly: true },
        { source: 'grafana/dashboards', target: '/var/lib/grafana/dashboards', readOnly: true },
      ],
      volumes: [{ volume: 'grafana-data', target: '/var/lib/grafana' }],
      user: '472:0',
      healthcheck: httpCheck('http://127.0.0.1:3000/api/health', 'wget', 20),
      readiness: { port: 3000, path: '/api/health' },
      metrics: { port: 3000, path: '/metrics' },
      timeBudgetSeconds: 120,
    }),
    service({
      name: 'loki',
      group: 'monitoring',
      description: 'Loki (logs)',
      image: reg(DEFAULT_IMAGES.loki),
      command: ['-config.file=/etc/loki/loki.yaml'],
      ports: [{ name: 'http', container: 3100, host: 3100 }],
      binds: [{ source: 'loki', target: '/etc/loki', readOnly: true }],
      volumes: [{ volume: 'loki-data', target: '/loki' }],
      user: '10001:10001',
      readiness: { port: 3100, path: '/ready' },
      metrics: { port: 3100, path: '/metrics' },
      timeBudgetSeconds: 120,
    }),
    service({
      name: 'alloy',
      group: 'monitoring',
      description: 'Grafana Alloy (ships container logs to Loki)',
      image: reg(DEFAULT_IMAGES.alloy),
      command: [
        'run',
        '--server.http.listen-addr=0.0.0.0:12345',
        '--storage.path=/var/lib/alloy/data',
        '/etc/alloy/config.alloy',
      ],
      ports: [],
      binds: [
        { source: 'alloy', target: '/etc/alloy', readOnly: true },
        // Alloy discovers containers and reads their logs through the Docker API: read-only socket.
        { source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: true },
      ],
      volumes: [{ volume: 'alloy-data', target: '/var/lib/alloy/data' }],
      metrics: { port: 12345, path: '/metrics' },
      dependsOn: [{ service: 'loki', condition: 'started' }],
      timeBudgetSeconds: 60,
    }),
    service({
      name: 'cadvisor',
      group: 'monitoring',
      description: 'cAdvisor (container CPU, memory, restarts)',
      image: reg(DEFAULT_IMAGES.cadvisor),
      command: ['--docker_only=true', '--housekeeping_interval=10s'],
      ports: [{ name: 'http', container: 8080, host: 8080 }],
      binds: [
        { source: '/', target: '/rootfs', readOnly: true },
        { source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: true },
        { source: '/sys', target: '/sys', readOnly: true },
        { source: '/var/lib/docker', target: '/var/lib/docker', readOnly: true },
      ],
      readiness: { port: 8080, path: '/healthz' },
      metrics: { port: 8080, path: '/metrics' },
      timeBudgetSeconds: 60,
    }),
    service({
      name: 'node-exporter',
      group: 'monitoring',
      description: 'node-exporter (host CPU, memory, disk)',
      image: reg(DEFAULT_IMAGES['node-exporter']),
      command: ['--path.rootfs=/host'],
      ports: [{ name: 'http', container: 9100, host: 9100 }],
      binds: [{ source: '/', target: '/host', readOnly: true }],
      user: '65534:65534',
      readiness: { port: 9100, path: '/metrics' },
      metrics: { port: 9100, path: '/metrics' },
      timeBudgetSeconds: 30,
    }),
    service({
      name: 'postgres-exporter',
      group: 'monitoring',
      description: 'postgres-exporter (database connections, size)',
      image: reg(DEFAULT_IMAGES['postgres-exporter']),
      ports: [],
      environment: {
        DATA_SOURCE_URI: `postgres:5432/${POSTGRES_DB}?sslmode=disable`,
        DATA_SOURCE_USER: POSTGRES_USER,
      },
      secrets: { DATA_SOURCE_PASS: 'postgres-password' },
      user: '65534:65534',
      metrics: { port: 9187, path: '/metrics' },
      dependsOn: [{ service: 'postgres', condition: 'healthy' }],
      timeBudgetSeconds: 30,
    }),
  ];
}

/** Names of every service the suite knows, in catalog order. */
export const SERVICE_NAMES = [
  'inference-chat',
  'inference-code',
  'api-gateway',
  'embedding',
  'postgres',
  'rag',
  'mcp-server',
  'prometheus',
  'alertmanager',
  'grafana',
  'loki',
  'alloy',
  'cadvisor',
  'node-exporter',
  'postgres-exporter',
] as const;

/** A name the suite knows (in `SERVICE_NAMES`). */
export function isServiceName(name: string): name is (typeof SERVICE_NAMES)[number] {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}
