/**
 * Who wrote a report: Sonoteca's name and version (from package.json), and where the package root
 * is (`package.json`, `docs/schema`), the same from `src/report` and `dist/report`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root (`package.json`, `docs/schema`), the same from `src/report` and `dist/report`. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

let cachedVersion: string | undefined;

/** The `version` of Sonoteca's package.json. */
export function generatorVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(`${packageRoot()}package.json`, 'utf8')) as {
      version?: string;
    };
    cachedVersion = pkg.version ?? '0.0.0';
  }
  return cachedVersion;
}
