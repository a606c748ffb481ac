export { parseAccessList, hasHashAt, hexToKey, keyToHex, type ParsedAccessList, type IgnoredLine } from './parse.js';
export { createAccessPolicy, ACCESS_MODES, type AccessMode, type AccessPolicy } from './access-policy.js';
export { addToAccessList, removeFromAccessList, accessListHas, sanitizeComment } from './append.js';
