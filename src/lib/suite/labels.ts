/** Labels on everything aisuite creates; objects are found again by label, never by name. */
export const LABELS = {
  project: 'io.aisuite.project',
  service: 'io.aisuite.service',
  configHash: 'io.aisuite.config-hash',
  release: 'io.aisuite.release',
  phase: 'io.aisuite.phase',
  /** The secrets file the container's generated secrets came from (a path, never a value). */
  secretsFile: 'io.aisuite.secrets-file',
} as const;
