/**
 * `@oclif/core`, from the build's one-file bundle when there is one (see bundled.ts). Every command,
 * bin/run.js and the base command take oclif from here, so they share one instance; types come from
 * the package (`import type` loads nothing). Plugins (autocomplete) bring their own copy, which
 * oclif supports: a config from another copy is reloaded by the plugin's.
 */
import type * as OclifModule from '@oclif/core';
import { loadBundled } from './bundled.js';

const oclif = loadBundled<typeof OclifModule>('oclif.bundle.cjs', '@oclif/core');

/** Where `@oclif/core` was loaded from: `bundle` in a build, `package` otherwise. */
export const oclifSource = oclif.source;

export const { Args, Command, Errors, Flags, execute } = oclif.module;
