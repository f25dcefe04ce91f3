#!/usr/bin/env node
// oclif from the build's one-file bundle (dist/lib/oclif.js), the instance the commands use
import { execute } from '../dist/lib/oclif.js';

await execute({ dir: import.meta.url });
