/**
 * Kept so existing imports compile: the report contract now lives in `src/report/`, which both the
 * pipeline and `src/metadata/` depend on. Import from `../report/index.js` in new code.
 */
export * from '../report/index.js';
