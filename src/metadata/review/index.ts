/** Reviewer corrections of reports and what needs a person (the review queue). */
export * from './corrections.js';
export * from './review-summary.js';
export * from './speaker-names.js';
