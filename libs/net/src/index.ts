export { parseIp, parseIpv4, isIp, formatIp, normalizeIp, type ParsedIp } from './ip.js';
export { parseCidr, isCidr, createIpMatcher, type Cidr, type IpMatcher } from './cidr.js';
export { clientIp, parseForwardedHop } from './client-ip.js';
