#!/usr/bin/env node
// Entry shim: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('sonoteca: dist/ is missing; run `npm run build` (npm ci does this for you).');
  process.exit(2);
}
await import(main.href);
