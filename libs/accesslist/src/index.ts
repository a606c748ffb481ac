export { parseAccessList, hasHashAt, type ParsedAccessList, type IgnoredLine } from './parse.js';
export { createAccessPolicy, ACCESS_MODES, type AccessMode, type AccessPolicy } from './access-policy.js';
export { judgeShrink, MAX_LOSS_COUNT, MAX_LOSS_FRACTION, type ShrinkVerdict } from './shrink-guard.js';
export { addToAccessList, removeFromAccessList, accessListHas, sanitizeComment } from './append.js';
