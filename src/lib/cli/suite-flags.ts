import { Flags } from '../oclif.js';

/** Flags shared by every command that reads aisuite.yaml: the file and the project. */
export const projectFlags = {
  config: Flags.string({
    char: 'c',
    description: 'aisuite.yaml to read (default: ./aisuite.yaml when present)',
    env: 'AISUITE_CONFIG',
  }),
  project: Flags.string({
    description: 'project name (labels, container names; default "aisuite")',
    env: 'AISUITE_PROJECT',
  }),
};

/** The project flags and the secrets file, for the commands that read, write or remove it. */
export const configFlags = {
  ...projectFlags,
  'secrets-file': Flags.string({
    description: 'secrets file (default: <state dir>/<project>/secrets.env)',
    env: 'AISUITE_SECRETS_FILE',
  }),
};

/** Flags that select the suite: shared by render, up, verify and checklist. */
export const suiteFlags = {
  ...configFlags,
  phase: Flags.string({
    char: 'p',
    description: 'cumulative phase: 1 basic AI, 2 + RAG, 3 + MCP',
    env: 'AISUITE_PHASE',
  }),
  cpu: Flags.boolean({ description: 'CPU profile: mock-inference instead of llama.cpp', exclusive: ['gpu'] }),
  gpu: Flags.boolean({
    description: 'GPU profile: llama.cpp server (CUDA) on GGUF files from --models-dir',
    exclusive: ['cpu'],
  }),
  profile: Flags.string({
    description: 'profile, for CI: cpu or gpu (same as --cpu/--gpu)',
    env: 'AISUITE_PROFILE',
    hidden: true,
  }),
  monitoring: Flags.boolean({
    description: 'include the monitoring stack (default: on from phase 3)',
    allowNo: true,
    env: 'AISUITE_MONITORING',
  }),
  without: Flags.string({
    description: 'leave out these services (comma-separated)',
    env: 'AISUITE_WITHOUT',
    delimiter: ',',
    multiple: true,
  }),
  image: Flags.string({ description: 'image override SERVICE=REF (repeatable)', multiple: true }),
  'models-dir': Flags.string({
    description: 'directory with the GGUF/ONNX model files (GPU profile)',
    env: 'AISUITE_MODELS_DIR',
  }),
  'n-gpu-layers': Flags.integer({
    description: 'layers llama.cpp offloads to the GPU',
    min: 0,
    env: 'AISUITE_N_GPU_LAYERS',
  }),
  'bind-address': Flags.string({
    description: 'host address published ports bind to (default 127.0.0.1)',
    env: 'AISUITE_BIND_ADDRESS',
  }),
};

export type SuiteFlagValues = {
  config?: string;
  project?: string;
  'secrets-file'?: string;
  phase?: string;
  cpu?: boolean;
  gpu?: boolean;
  profile?: string;
  monitoring?: boolean;
  without?: string[] | string;
  image?: string[];
  'models-dir'?: string;
  'n-gpu-layers'?: number;
  'bind-address'?: string;
};
