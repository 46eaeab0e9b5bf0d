/**
 * The report contract: the versioned JSON document written per analysed file, its section types
 * and who generated it. Both the pipeline (which builds reports) and metadata/ (which exports
 * them) depend on this module; it depends only on analysis/ and audio/ types.
 */
export * from './generator.js';
export * from './processing-type.js';
export * from './report.js';
