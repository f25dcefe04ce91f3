#!/usr/bin/env node
// oclif from the build's one-file bundle (dist/lib/oclif.js), the instance the commands use
import { takeDeferredCa } from '../dist/lib/deferred-ca.js';
import { execute } from '../dist/lib/oclif.js';

// bin/aisuite (the installed command) hands NODE_EXTRA_CA_CERTS over to this process to load lazily
takeDeferredCa();
await execute({ dir: import.meta.url });
