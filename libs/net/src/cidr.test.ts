import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createIpMatcher, isCidr, parseCidr } from './cidr.js';

describe('parseCidr', () => {
  const rows: Array<[input: string, text: string, family: 4 | 6]> = [
    ['10.0.0.0/8', '10.0.0.0/8', 4],
    ['10.1.2.3/8', '10.0.0.0/8', 4],
    ['127.0.0.1', '127.0.0.1/32', 4],
    ['0.0.0.0/0', '0.0.0.0/0', 4],
    ['192.168.1.77/31', '192.168.1.76/31', 4],
    ['::1', '::1/128', 6],
    ['::/0', '::/0', 6],
    ['2001:db8::/32', '2001:db8::/32', 6],
    ['2001:DB8:ffff::1/33', '2001:db8:8000::/33', 6],
    ['fe80::/10', 'fe80::/10', 6],
    ['::ffff:1.2.3.4', '1.2.3.4/32', 4],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8', 4],
    ['::ffff:0:0/96', '0.0.0.0/0', 4],
    ['::ffff:0:0/95', '::fffe:0:0/95', 6],
  ];
  for (const [input, text, family] of rows) {
    test(`${input} -> ${text}`, () => {
      const cidr = parseCidr(input);
      assert.equal(cidr.text, text);
      assert.equal(cidr.family, family);
      assert.equal(parseCidr(cidr.text).text, text);
      assert.ok(Object.isFrozen(cidr));
    });
  }

  const bad: Array<[input: string, message: RegExp]> = [
    ['', /invalid CIDR "": "" is not an IP address/],
    ['foo', /invalid CIDR "foo": "foo" is not an IP address \(expected an IP address or CIDR such as/],
    ['localhost/8', /"localhost" is not an IP address/],
    ['10.0.0.0/33', /invalid CIDR "10.0.0.0\/33": prefix length must be an integer 0-32/],
    ['::/129', /prefix length must be an integer 0-128/],
    ['10.0.0.0/', /prefix length must be an integer/],
    ['10.0.0.0/-1', /prefix length must be an integer/],
    ['10.0.0.0/08', /prefix length must be an integer/],
    ['10.0.0.0/8/8', /prefix length must be an integer/],
    ['10.0.0.0/ 8', /prefix length must be an integer/],
    ['10.0.0.0/1e1', /prefix length must be an integer/],
    [' 10.0.0.0/8', /is not an IP address/],
    ['256.0.0.0/8', /is not an IP address/],
    ['fe80::1%eth0/64', /zone indexes \(%...\) are not supported/],
    ['[::1]', /is not an IP address/],
    ['x'.repeat(500), /invalid CIDR "x{80}\.\.\."/],
  ];
  for (const [input, message] of bad) {
    test(`rejects ${JSON.stringify(input.slice(0, 30))}`, () => {
      assert.throws(() => parseCidr(input), message);
      assert.equal(isCidr(input), false);
    });
  }
});

describe('createIpMatcher', () => {
  const match = createIpMatcher(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32', '::1', '::ffff:172.16.0.0/108'].map(parseCidr));
  const rows: Array<[ip: string, want: boolean]> = [
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['9.255.255.255', false],
    ['192.168.1.1', true],
    ['192.168.1.2', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:a01:203', true],
    ['::ffff:11.1.2.3', false],
    ['172.16.5.5', true],
    ['172.32.0.1', false],
    ['2001:db8::1', true],
    ['2001:DB8:ffff:ffff::', true],
    ['2001:db9::1', false],
    ['::1', true],
    ['::2', false],
    ['fe80::1%lo', false],
    // Hostile rows: nothing unparseable matches.
    ['', false],
    ['10.0.0.1 ', false],
    ['010.0.0.1', false],
    ['10.0.0.1:80', false],
    ['[::1]', false],
    ['garbage', false],
  ];
  for (const [ip, want] of rows) {
    test(`${JSON.stringify(ip)} -> ${want}`, () => assert.equal(match(ip), want));
  }

  test('no rules: nothing matches', () => {
    const none = createIpMatcher([]);
    assert.equal(none('127.0.0.1'), false);
    assert.equal(none('::1'), false);
  });

  test('/0 rules match their whole family only', () => {
    const all4 = createIpMatcher([parseCidr('0.0.0.0/0')]);
    assert.equal(all4('203.0.113.9'), true);
    assert.equal(all4('::ffff:203.0.113.9'), true);
    assert.equal(all4('2001:db8::1'), false);
    const all6 = createIpMatcher([parseCidr('::/0')]);
    assert.equal(all6('2001:db8::1'), true);
    assert.equal(all6('203.0.113.9'), false);
  });

  test('odd prefix lengths on word boundaries', () => {
    for (const bits of [1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128]) {
      const m = createIpMatcher([parseCidr(`ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/${bits}`)]);
      assert.equal(m('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), true, `${bits}`);
      assert.equal(m('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe'), bits < 128, `${bits} last bit`);
      assert.equal(m('7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), false, `${bits} first bit`);
    }
    for (const bits of [1, 7, 8, 9, 24, 31, 32]) {
      const m = createIpMatcher([parseCidr(`255.255.255.255/${bits}`)]);
      assert.equal(m('255.255.255.255'), true);
      assert.equal(m('255.255.255.254'), bits < 32);
      assert.equal(m('127.255.255.255'), false);
    }
  });
});
