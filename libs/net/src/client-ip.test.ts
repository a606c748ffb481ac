import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createIpMatcher, parseCidr } from './cidr.js';
import { clientIp, parseForwardedHop } from './client-ip.js';

// 10.0.0.0/8 and ::1 are our proxies; everything else is the internet.
const trusted = createIpMatcher(['10.0.0.0/8', '127.0.0.1', '::1'].map(parseCidr));

describe('clientIp', () => {
  const rows: Array<{ name: string; peer: string; xff: string | string[] | undefined; want: string }> = [
    { name: 'no header', peer: '203.0.113.5', xff: undefined, want: '203.0.113.5' },
    { name: 'proxy, no header', peer: '10.0.0.1', xff: undefined, want: '10.0.0.1' },
    { name: 'proxy, one hop', peer: '10.0.0.1', xff: '198.51.100.7', want: '198.51.100.7' },
    { name: 'proxy chain', peer: '10.0.0.1', xff: '198.51.100.7, 10.0.0.2, 10.0.0.3', want: '198.51.100.7' },
    { name: 'peer as v4-mapped', peer: '::ffff:10.0.0.1', xff: '198.51.100.7', want: '198.51.100.7' },
    { name: 'IPv6 client via proxy', peer: '::1', xff: '2001:DB8::7', want: '2001:db8::7' },
    { name: 'v4-mapped client normalised', peer: '::1', xff: '::ffff:198.51.100.7', want: '198.51.100.7' },
    { name: 'multiple headers joined in order', peer: '10.0.0.1', xff: ['198.51.100.7', '10.0.0.2'], want: '198.51.100.7' },
    { name: 'multiple headers, last untrusted wins', peer: '10.0.0.1', xff: ['198.51.100.7', '198.51.100.8'], want: '198.51.100.8' },
    { name: 'all hops trusted: leftmost', peer: '10.0.0.1', xff: '10.0.0.9, 10.0.0.2', want: '10.0.0.9' },
    { name: 'port appended to v4', peer: '10.0.0.1', xff: '198.51.100.7:5678', want: '198.51.100.7' },
    { name: 'bracketed v6 with port', peer: '10.0.0.1', xff: '[2001:db8::7]:443', want: '2001:db8::7' },
    { name: 'bracketed v6 without port', peer: '10.0.0.1', xff: '[2001:db8::7]', want: '2001:db8::7' },
    { name: 'spaces and tabs around entries', peer: '10.0.0.1', xff: ' \t198.51.100.7 \t', want: '198.51.100.7' },
    // Hostile rows.
    { name: 'untrusted peer spoofing XFF', peer: '203.0.113.5', xff: '10.0.0.1', want: '203.0.113.5' },
    { name: 'untrusted peer spoofing a chain', peer: '203.0.113.5', xff: '1.1.1.1, 10.0.0.2', want: '203.0.113.5' },
    { name: 'untrusted v6 peer spoofing', peer: '2001:db8::666', xff: '1.1.1.1', want: '2001:db8::666' },
    { name: 'client prepends a fake hop: proxy-added entry wins', peer: '10.0.0.1', xff: '1.1.1.1, 198.51.100.7', want: '198.51.100.7' },
    { name: 'client prepends a fake trusted hop', peer: '10.0.0.1', xff: '10.0.0.66, 198.51.100.7', want: '198.51.100.7' },
    { name: 'empty header', peer: '10.0.0.1', xff: '', want: '10.0.0.1' },
    { name: 'blank header', peer: '10.0.0.1', xff: '  ', want: '10.0.0.1' },
    { name: 'empty array', peer: '10.0.0.1', xff: [], want: '10.0.0.1' },
    { name: 'garbage: stop at the proxy', peer: '10.0.0.1', xff: 'garbage', want: '10.0.0.1' },
    { name: 'garbage behind a valid hop is never reached', peer: '10.0.0.1', xff: 'garbage, 198.51.100.7', want: '198.51.100.7' },
    { name: 'garbage between trusted hops: last valid hop', peer: '10.0.0.1', xff: '198.51.100.7, junk, 10.0.0.2', want: '10.0.0.2' },
    { name: 'trailing comma (empty entry)', peer: '10.0.0.1', xff: '198.51.100.7,', want: '10.0.0.1' },
    { name: 'unknown keyword', peer: '10.0.0.1', xff: 'unknown', want: '10.0.0.1' },
    { name: 'hostname', peer: '10.0.0.1', xff: 'evil.example', want: '10.0.0.1' },
    { name: 'RFC 7239 syntax is not XFF', peer: '10.0.0.1', xff: 'for=198.51.100.7', want: '10.0.0.1' },
    { name: 'port too long', peer: '10.0.0.1', xff: '198.51.100.7:123456', want: '10.0.0.1' },
    { name: 'unclosed bracket', peer: '10.0.0.1', xff: '[2001:db8::7', want: '10.0.0.1' },
    { name: 'brackets around v4', peer: '10.0.0.1', xff: '[198.51.100.7]', want: '10.0.0.1' },
    { name: 'zone index', peer: '10.0.0.1', xff: 'fe80::1%eth0', want: '10.0.0.1' },
    { name: 'CRLF injection', peer: '10.0.0.1', xff: '198.51.100.7\r\nX-Evil: 1', want: '10.0.0.1' },
    { name: 'huge header of fake hops', peer: '10.0.0.1', xff: `${'1.1.1.1,'.repeat(5000)}198.51.100.7`, want: '198.51.100.7' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(clientIp(row.peer, row.xff, trusted), row.want));
  }

  test('no trusted proxies: header always ignored', () => {
    const none = createIpMatcher([]);
    assert.equal(clientIp('127.0.0.1', '198.51.100.7', none), '127.0.0.1');
  });
});

describe('parseForwardedHop', () => {
  const rows: Array<[string, string | null]> = [
    ['1.2.3.4', '1.2.3.4'],
    ['1.2.3.4:80', '1.2.3.4'],
    ['::1', '::1'],
    ['[::1]:80', '::1'],
    ['[::1]x', null],
    ['[::1]:', null],
    ['1.2.3.4:', null],
    ['1.2.3.4:x', null],
    ['', null],
    ['"1.2.3.4"', null],
  ];
  for (const [input, want] of rows) {
    test(JSON.stringify(input), () => assert.equal(parseForwardedHop(input), want));
  }
});
