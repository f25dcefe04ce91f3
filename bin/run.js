#!/usr/bin/env node
// oclif from the build's one-file bundle (dist/lib/oclif.js), the instance the commands use
import { execute } from '../dist/lib/oclif.js';

// bin/aisuite (the installed command) hands NODE_EXTRA_CA_CERTS over to this process to load lazily;
// the module that takes it is loaded only then, not on every start
if (process.env.AISUITE_DEFERRED_CA) (await import('../dist/lib/deferred-ca.js')).takeDeferredCa();
await execute({ dir: import.meta.url });
