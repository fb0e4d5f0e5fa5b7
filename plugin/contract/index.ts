/**
 * The bodies the server and the elements exchange, declared once. Type-only: the elements import it
 * with `import type` (the bundle carries none of it) and every route's reply `satisfies` its type.
 * Times are ISO 8601 strings; ids are strings.
 */
export type * from './common.js';
export type * from './bindings.js';
export type * from './customer-path.js';
export type * from './stats.js';
export type * from './capacity.js';
export type * from './reviews.js';
export type * from './operation-log.js';
export type * from './members.js';
export type * from './handover.js';
export type * from './operations.js';

export type * from './acquisition.js';
