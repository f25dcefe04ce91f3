import type { SuiteOptions } from '../suite/build.js';
import type { SuiteSpec } from '../suite/types.js';

/** Version of the on-disk record format (`format` field of each file). */
export const RELEASE_FORMAT = 'aisuite.release/v1';

export type ReleaseStatus = 'good' | 'failed';

export interface ReleaseImage {
  readonly ref: string;
  /** Image id (sha256:...) the ref resolved to when the release was applied. */
  readonly id: string;
  /** Registry digests of that image, when it came from a registry. */
  readonly repoDigests: readonly string[];
  readonly services: readonly string[];
}

export interface ReleaseFile {
  readonly path: string;
  readonly content: string;
  readonly sha256: string;
}

/** What the post-deploy checklist said about this release. */
export interface ReleaseChecklist {
  readonly status: 'passed' | 'failed' | 'not-run';
  /** When the run started (\`up\`, \`rollback\` or a later \`aisuite checklist\`); absent in older records. */
  readonly checkedAt?: string;
  readonly passed?: number;
  readonly failed?: number;
  readonly skipped?: number;
  /** Ids of the critical checks that failed. */
  readonly failedCritical?: readonly string[];
  /** What each failed critical check found (for the failure message and the record). */
  readonly failures?: readonly { readonly id: string; readonly message: string }[];
  readonly exitCode?: number;
}

export interface ReleaseDeployment {
  readonly at: string;
  readonly command: 'up' | 'rollback' | 'auto-revert';
  readonly user: string;
  readonly host: string;
  readonly status: ReleaseStatus;
}

/** Everything needed to re-apply a release exactly: the suite model, its rendered files and its images. */
export interface ReleaseRecord {
  readonly tag: string;
  readonly project: string;
  readonly createdAt: string;
  /** The last time this release was applied (by `up`, `rollback` or an auto-revert). */
  readonly deployedAt: string;
  readonly user: string;
  readonly host: string;
  readonly aisuiteVersion: string;
  readonly status: ReleaseStatus;
  /** Why it is `failed` (apply error or failed critical checks). */
  readonly failure?: string;
  readonly contentHash: string;
  readonly suite: SuiteSpec;
  readonly options: SuiteOptions;
  readonly secretsFile: string;
  readonly files: readonly ReleaseFile[];
  readonly images: readonly ReleaseImage[];
  /** sha256 of the services' plain environment and of each secret's digest: shows a change, holds no secret. */
  readonly envHash: string;
  /** Image ref of each service that owns a volume: the code that wrote the data kept across releases. */
  readonly dataSchema: Readonly<Record<string, string>>;
  readonly checklist: ReleaseChecklist;
  readonly deployments: readonly ReleaseDeployment[];
}

/** The file on disk: the record and the sha256 of its canonical JSON. */
export interface ReleaseEnvelope {
  readonly format: typeof RELEASE_FORMAT;
  readonly checksum: string;
  readonly record: ReleaseRecord;
}

/** A record file that cannot be trusted: reported, never used. */
export interface CorruptRelease {
  readonly file: string;
  readonly tag: string;
  readonly reason: string;
}
