/** `npm run docs:events`: writes docs/asyncapi.json from the typed socket events (see asyncapi-build.ts). */
import { writeFileSync } from 'node:fs';
import { ASYNCAPI_FILE, asyncApiFileText, packageVersion } from './asyncapi-build.js';

writeFileSync(ASYNCAPI_FILE, await asyncApiFileText(packageVersion()));
console.log(`wrote ${ASYNCAPI_FILE}`);
