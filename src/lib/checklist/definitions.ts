import type { ProbeKind } from '../probes/types.js';
import type { Profile } from '../suite/types.js';
import type { Severity, Stage, Timing } from './types.js';

/**
 * A built-in check as data. Strings may hold placeholders filled from the suite at run time:
 * `${project}`, `${url:SERVICE}`, `${host:SERVICE}`, `${port:SERVICE}`, `${secret:NAME}`, `${secretsFile}`,
 * `${modelsDir}`, `${dockerRoot}`, `${embeddingModel}`, and in a `forEach` check `${each}`, `${each.url}`,
 * `${each.host}`, `${each.port}`, `${each.healthPath}`, `${each.path}`. An array element that is exactly
 * `${list:services}` (or `${list:package-services}`) expands to the selected service names.
 */
export interface CheckTemplate {
  readonly id: string;
  readonly title: string;
  readonly stage: Stage;
  readonly severity: Severity;
  readonly remedy: string;
  /** Longer help for docs/DEPLOYMENT_CHECKLIST.md. */
  readonly troubleshooting?: string;
  /** One check per item: services with a host port, services with a health endpoint, model files. */
  readonly forEach?: 'service-with-host-port' | 'service-with-health' | 'model-file';
  /** Applies only when these services are selected and this profile is chosen; else skipped with why. */
  readonly when?: { readonly services?: readonly string[]; readonly profile?: Profile };
  readonly needs?: readonly string[];
  readonly timing?: Partial<Timing>;
  /** Keep retrying (every `timing.periodSeconds`) for this many of the suite's scrape intervals. */
  readonly retryForScrapes?: number;
  readonly probe: { readonly kind: ProbeKind } & Readonly<Record<string, unknown>>;
}

const RETRY: Partial<Timing> = { timeoutSeconds: 5, periodSeconds: 2, failureThreshold: 3 };
const ROUND_TRIP: Partial<Timing> = { timeoutSeconds: 30, periodSeconds: 3, failureThreshold: 2 };
const bearer = (secret: string) => ({ authorization: `Bearer \${secret:${secret}}` });

export const PRE_FLIGHT: readonly CheckTemplate[] = [
  {
    id: 'docker-engine',
    title: 'Docker engine reachable',
    stage: 'pre-flight',
    severity: 'critical',
    probe: { kind: 'docker', check: 'engine' },
    remedy: 'Start the Docker daemon (`systemctl start docker`) or point DOCKER_HOST at a running engine.',
    troubleshooting:
      'aisuite talks to the engine through /var/run/docker.sock or DOCKER_HOST. `docker version` must answer ' +
      'for the user running aisuite (membership of the `docker` group, or rootless Docker).',
  },
  {
    id: 'secrets-file',
    title: 'Secrets file present with mode 0600',
    stage: 'pre-flight',
    severity: 'critical',
    probe: { kind: 'file', path: '${secretsFile}', mode: '0600' },
    remedy: 'Run `aisuite secrets get gateway-api-key` once to generate it, then `chmod 600 ${secretsFile}`.',
    troubleshooting:
      'The secrets file holds the gateway API key, the Grafana and Postgres passwords and the MCP admin token. ' +
      'It must be readable by its owner only; aisuite writes it with mode 0600 and never changes existing values.',
  },
  {
    id: 'model-file',
    title: 'Model file present: ${each}',
    stage: 'pre-flight',
    severity: 'critical',
    forEach: 'model-file',
    when: { profile: 'gpu' },
    probe: { kind: 'file', path: '${each.path}', minBytes: 1_048_576 },
    remedy:
      'Put the GGUF file into ${modelsDir} (or pass --models-dir), named as gpu.chatModel/gpu.codeModel.',
    troubleshooting:
      'The GPU profile runs llama.cpp on GGUF files from the models directory; a missing or truncated file ' +
      'makes the inference container exit at start.',
  },
  {
    id: 'embedding-model',
    title: 'Embedding model present: ${embeddingModel}',
    stage: 'pre-flight',
    severity: 'critical',
    when: { profile: 'gpu', services: ['embedding'] },
    probe: { kind: 'file', path: '${modelsDir}/${embeddingModel}/onnx/model.onnx', minBytes: 1_048_576 },
    remedy:
      'Put the ONNX export of ${embeddingModel} into ${modelsDir}/${embeddingModel} (config.json, the tokenizer ' +
      'files, onnx/model.onnx: docs/services.md, "Adding a model"), or name another with embedding.model.',
    troubleshooting:
      "The GPU profile's embedding service loads its model with ONNX Runtime from the models directory, " +
      'never from the network; without it the embedding container exits at start, and rag can neither ' +
      'index nor query.',
  },
  {
    id: 'port-free',
    title: 'Host port free for ${each} (${each.port})',
    stage: 'pre-flight',
    severity: 'critical',
    forEach: 'service-with-host-port',
    // a port the project's own running container publishes is not in the way (as in `up`'s pre-flight)
    probe: { kind: 'tcp', host: '${each.host}', port: '${each.port}', expect: 'free', project: '${project}' },
    remedy:
      'Stop what listens on ${each.host}:${each.port} (`ss -ltnp`), or give ${each} another port under `ports:`.',
    troubleshooting:
      'Every published port binds the configured bind address (127.0.0.1 by default). A port the suite itself ' +
      'already publishes (a running deployment of the same project) counts as free: `up` keeps or replaces ' +
      'that container.',
  },
  {
    id: 'disk-space',
    title: 'Free disk space for images and volumes',
    stage: 'pre-flight',
    severity: 'warning',
    probe: { kind: 'disk', path: '${dockerRoot}', minFreeMiB: 10_240 },
    remedy:
      'Free space under ${dockerRoot} (`docker system prune`, old images) or move the Docker data root.',
    troubleshooting:
      'Images, the Postgres volume, Prometheus and Loki data live under the Docker data root; below 10 GiB free, ' +
      'Prometheus and Postgres can stop writing.',
  },
  {
    id: 'gpu-visible',
    title: 'NVIDIA GPU visible',
    stage: 'pre-flight',
    severity: 'critical',
    when: { profile: 'gpu' },
    probe: { kind: 'gpu', minCount: 1 },
    remedy: 'Install the NVIDIA driver and the NVIDIA Container Toolkit; `nvidia-smi` must list the GPU.',
    troubleshooting:
      'The GPU profile passes NVIDIA device requests to Docker. Check `nvidia-smi` on the host and ' +
      '`docker info | grep -i runtime` for the nvidia runtime.',
  },
];

export const POST_DEPLOY: readonly CheckTemplate[] = [
  {
    id: 'containers-running',
    title: 'Every container running and healthy',
    stage: 'post-deploy',
    severity: 'critical',
    probe: {
      kind: 'docker',
      check: 'containers',
      project: '${project}',
      services: ['${list:services}'],
      maxRestarts: 1_000_000,
    },
    timing: RETRY,
    remedy: 'Run `aisuite status` and `aisuite logs SERVICE` for the service named, then `aisuite up` again.',
    troubleshooting:
      'Containers are found by the label io.aisuite.project. A container that exited or reports `unhealthy` ' +
      'is named with its state.',
  },
  {
    id: 'containers-not-restarting',
    title: 'No container restarting',
    stage: 'post-deploy',
    severity: 'warning',
    needs: ['containers-running'],
    probe: { kind: 'docker', check: 'containers', project: '${project}', maxRestarts: 0 },
    remedy: 'A restart means the service crashed: read `aisuite logs SERVICE` from before the restart.',
  },
  {
    id: 'health',
    title: 'Health endpoint of ${each}',
    stage: 'post-deploy',
    severity: 'critical',
    forEach: 'service-with-health',
    probe: { kind: 'http', url: '${each.url}${each.healthPath}', expectStatus: [200] },
    timing: RETRY,
    remedy:
      'Read `aisuite logs ${each}`; a 503 means the service is up but a dependency or its model is not.',
    troubleshooting:
      "The package's services answer `/health` with their dependency checks; Prometheus, Alertmanager and Loki " +
      'their readiness endpoint. Connection refused means the container is not running or the port is not published.',
  },
  {
    id: 'postgres-listening',
    title: 'PostgreSQL accepts connections',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['postgres'] },
    probe: { kind: 'tcp', host: '${host:postgres}', port: '${port:postgres}', expect: 'listening' },
    timing: RETRY,
    remedy:
      'Read `aisuite logs postgres`; check the volume is writable and the password in the secrets file.',
  },
  {
    id: 'prometheus-ready',
    title: 'Prometheus ready',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['prometheus'] },
    probe: { kind: 'http', url: '${url:prometheus}/-/ready', expectStatus: [200] },
    timing: RETRY,
    remedy: 'Read `aisuite logs prometheus`; a config error names the file and line.',
  },
  {
    id: 'prometheus-targets-up',
    title: 'Every Prometheus target up',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['prometheus'] },
    needs: ['prometheus-ready'],
    probe: {
      kind: 'promql',
      url: '${url:prometheus}',
      query: 'up',
      condition: { op: '==', value: 1 },
      // a job never scraped yet has no `up` series: without this a fresh Prometheus passed on the
      // first few targets (6 of 10 right after `up`)
      expectLabel: { name: 'job', values: ['${list:scraped-services}'] },
    },
    // the first scrape of each target comes within one scrape interval of Prometheus's start
    timing: { timeoutSeconds: 5, periodSeconds: 2 },
    retryForScrapes: 2,
    remedy: 'Open ${url:prometheus}/targets: the failing target shows the scrape error.',
    troubleshooting:
      'Passes only when `up` has a series for every job of the suite (every selected service Prometheus scrapes) ' +
      'and every series is 1. A target that was never scraped is not in the result: the first scrape happens ' +
      'within one scrape interval (`prometheus.scrapeIntervalSeconds`, 15 s unless set) after start, so the check ' +
      'retries for two intervals.',
  },
  {
    id: 'prometheus-rules-healthy',
    title: 'Every alert rule loaded and healthy',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['prometheus'] },
    needs: ['prometheus-ready'],
    probe: {
      kind: 'http',
      url: '${url:prometheus}/api/v1/rules?type=alert',
      json: [
        { path: 'data.groups', nonEmpty: true },
        { path: 'data.groups[*].rules[*].health', oneOf: ['ok', 'unknown'] },
      ],
    },
    timing: RETRY,
    remedy:
      'Run `promtool check rules` on the rendered rules (`aisuite render`), and read the rule error in ${url:prometheus}/rules.',
  },
  {
    id: 'alertmanager-connected',
    title: 'Alertmanager ready and connected to Prometheus',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['prometheus', 'alertmanager'] },
    needs: ['prometheus-ready'],
    probe: {
      kind: 'http',
      url: '${url:prometheus}/api/v1/alertmanagers',
      json: [{ path: 'data.activeAlertmanagers', nonEmpty: true }],
    },
    timing: RETRY,
    remedy:
      'Check the `alerting:` block of the rendered prometheus.yml and that alertmanager runs in the suite network.',
  },
  {
    id: 'grafana-overview-dashboard',
    title: "Overview dashboard's queries return data",
    stage: 'post-deploy',
    severity: 'warning',
    when: { services: ['grafana', 'prometheus'] },
    needs: ['prometheus-ready'],
    probe: {
      kind: 'grafana-dashboard',
      url: '${url:grafana}',
      uid: 'aisuite-overview',
      prometheusUrl: '${url:prometheus}',
      username: 'admin',
      password: '${secret:grafana-admin-password}',
    },
    timing: { timeoutSeconds: 20, periodSeconds: 10, failureThreshold: 3 },
    remedy: 'Open the dashboard in Grafana; a panel with no data names a metric no target exports yet.',
    troubleshooting:
      "The dashboard is fetched through Grafana's HTTP API and every PromQL panel query runs against Prometheus " +
      '($__rate_interval and $__range as 5m). Right after `up`, rate() panels need two scrapes before they show data.',
  },
  {
    id: 'loki-receiving-logs',
    title: 'Loki receiving logs from every service',
    stage: 'post-deploy',
    severity: 'warning',
    when: { services: ['loki', 'alloy'] },
    probe: {
      kind: 'logql',
      url: '${url:loki}',
      query: '{project="${project}"}',
      sinceSeconds: 600,
      expectLabel: { name: 'service', values: ['${list:package-services}'] },
    },
    timing: { timeoutSeconds: 10, periodSeconds: 10, failureThreshold: 3 },
    remedy: 'Read `aisuite logs alloy`: the log shipper reads container logs through the Docker socket.',
  },
  {
    id: 'gateway-auth-required',
    title: 'Gateway rejects requests without the API key',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['api-gateway'] },
    needs: ['health-api-gateway'],
    probe: { kind: 'http', url: '${url:api-gateway}/v1/models', expectStatus: [401] },
    remedy: 'The gateway must run with GATEWAY_API_KEY set: re-run `aisuite up` so it gets the secret.',
  },
  {
    id: 'gateway-chat-roundtrip',
    title: 'Gateway round trip: a real chat completion',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['api-gateway'] },
    needs: ['health-api-gateway'],
    probe: {
      kind: 'http',
      method: 'POST',
      url: '${url:api-gateway}/v1/chat/completions',
      headers: bearer('gateway-api-key'),
      body: { model: 'chat', messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 8 },
      json: [{ path: 'choices[0].message.content', matches: '\\S' }],
    },
    timing: ROUND_TRIP,
    remedy:
      'Read `aisuite logs api-gateway` and `aisuite logs inference-chat`; the error body names the backend.',
  },
  {
    id: 'embedding-roundtrip',
    title: 'Embedding round trip',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['embedding'] },
    needs: ['health-embedding'],
    probe: {
      kind: 'http',
      method: 'POST',
      url: '${url:embedding}/v1/embeddings',
      body: { model: '${embeddingModel}', input: ['aisuite deployment checklist'] },
      json: [{ path: 'data[0].embedding', nonEmpty: true }],
    },
    timing: ROUND_TRIP,
    remedy: 'Read `aisuite logs embedding`: /health names the model, backend and dimension.',
  },
  {
    id: 'rag-index',
    title: 'RAG indexes a document',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['rag'] },
    needs: ['health-rag'],
    probe: {
      kind: 'http',
      method: 'POST',
      url: '${url:rag}/index',
      body: {
        collection: 'aisuite_checklist',
        documents: [
          {
            id: 'aisuite-checklist-probe',
            text: 'The aisuite deployment checklist verifies the suite after every deployment.',
          },
        ],
      },
    },
    timing: ROUND_TRIP,
    remedy: 'Read `aisuite logs rag`; /health of rag reports Postgres and embedding.',
  },
  {
    id: 'rag-query',
    title: 'RAG query round trip (chunks and an answer)',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['rag'] },
    needs: ['rag-index'],
    probe: {
      kind: 'http',
      method: 'POST',
      url: '${url:rag}/query',
      body: {
        collection: 'aisuite_checklist',
        query: 'What verifies the suite after a deployment?',
        top_k: 3,
      },
      json: [
        { path: 'chunks', nonEmpty: true },
        { path: 'answer', matches: '\\S' },
      ],
    },
    timing: ROUND_TRIP,
    remedy:
      'No chunks: the index step failed; no answer: the gateway was unreachable from rag (see `aisuite logs rag`).',
  },
  {
    id: 'mcp-tools',
    title: 'MCP server lists its tools',
    stage: 'post-deploy',
    severity: 'critical',
    when: { services: ['mcp-server'] },
    needs: ['health-mcp-server'],
    probe: {
      kind: 'mcp',
      url: '${url:mcp-server}/mcp',
      token: '${secret:mcp-admin-token}',
      expectTools: ['rag_query', 'chat', 'suite_health'],
    },
    timing: ROUND_TRIP,
    remedy:
      'Read `aisuite logs mcp-server`; a 401 means the token in the secrets file differs from the server.',
  },
];

export const BUILTIN_TEMPLATES: readonly CheckTemplate[] = [...PRE_FLIGHT, ...POST_DEPLOY];
