import type { SuiteSpec } from '../../suite/types.js';
import type { RenderedFile } from '../types.js';
import { toYaml } from '../yaml.js';

/** loki.yaml for Loki 3.3 as a single process on the local file system, with retention by the compactor. */
export function renderLoki(suite: SuiteSpec): RenderedFile {
  const model = {
    auth_enabled: false,
    server: { http_listen_port: 3100, grpc_listen_port: 9096, log_level: 'info' },
    common: {
      instance_addr: '127.0.0.1',
      path_prefix: '/loki',
      storage: { filesystem: { chunks_directory: '/loki/chunks', rules_directory: '/loki/rules' } },
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
    },
    schema_config: {
      configs: [
        {
          from: '2024-01-01',
          store: 'tsdb',
          object_store: 'filesystem',
          schema: 'v13',
          index: { prefix: 'index_', period: '24h' },
        },
      ],
    },
    limits_config: {
      retention_period: `${suite.lokiRetentionHours}h`,
      allow_structured_metadata: true,
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
    },
    compactor: {
      working_directory: '/loki/compactor',
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      delete_request_store: 'filesystem',
    },
    analytics: { reporting_enabled: false },
  };
  return { path: 'loki/loki.yaml', content: toYaml(model) };
}
