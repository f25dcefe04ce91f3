/** Labels on everything aisuite creates; objects are found again by label, never by name. */
export const LABELS = {
  project: 'io.aisuite.project',
  service: 'io.aisuite.service',
  configHash: 'io.aisuite.config-hash',
  /** Short digests of what the config hash is made of (spec, image, secrets, files, network). */
  configParts: 'io.aisuite.config-parts',
  release: 'io.aisuite.release',
  phase: 'io.aisuite.phase',
  /** The secrets file the container's generated secrets came from (a path, never a value). */
  secretsFile: 'io.aisuite.secrets-file',
} as const;
