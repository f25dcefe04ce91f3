/** The `yaml` package, from the build's one-file bundle when there is one (see bundled.ts). */
import type * as YamlModule from 'yaml';
import { loadBundled } from './bundled.js';

const yaml = loadBundled<typeof YamlModule>('yaml.bundle.cjs', 'yaml');

/** Where `yaml` was loaded from: `bundle` in a build, `package` otherwise. */
export const yamlSource = yaml.source;

export const { Document, LineCounter, isMap, isSeq, parse, parseDocument, stringify } = yaml.module;
