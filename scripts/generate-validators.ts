import { writeFile } from 'node:fs/promises';
import { GENERATED_FILE, generateValidators } from '../src/lib/schema/generate.js';

await writeFile(GENERATED_FILE, generateValidators());
console.log(`wrote ${GENERATED_FILE}`);
