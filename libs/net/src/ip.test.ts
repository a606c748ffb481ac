import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP as isIpNode, isIPv4 } from 'node:net';
import fc from 'fast-check';
import { isIp, normalizeIp, parseIp, parseIpv4 } from './ip.js';

describe('normalizeIp', () => {
  const rows: Array<[input: string, want: string]> = [
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1::', '1::'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['::1.2.3.4', '::102:304'],
    // Unparseable input comes back lower-cased, untouched otherwise.
    ['Not-An-IP', 'not-an-ip'],
    ['', ''],
  ];
  for (const [input, want] of rows) {
    test(`${JSON.stringify(input)} -> ${want}`, () => assert.equal(normalizeIp(input), want));
  }
});

describe('parseIp rejects', () => {
  const bad = [
    '',
    ' ',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.-4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4/8',
    '0x7f.0.0.1',
    '1e2.0.0.1',
    'localhost',
    '[::1]',
    ':::',
    '1:::2',
    ':1::2',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '12345::',
    'g::',
    '::ffff:1.2.3',
    '::1.2.3.4:5',
    '1.2.3.4::',
    '::ffff:256.1.1.1',
    'x'.repeat(100),
    '1.2.3.4\n',
    '١.٢.٣.٤',
  ];
  for (const s of bad) {
    test(JSON.stringify(s), () => {
      assert.equal(parseIp(s), null);
      assert.equal(isIp(s), false);
    });
  }
});

test('agrees with node:net isIP on a sample of valid literals', () => {
  const good = [
    '127.0.0.1',
    '10.0.0.255',
    '::',
    '::1',
    '1::',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    'a:b:c:d:e:f:1.2.3.4',
    '::ffff:10.1.2.3',
  ];
  for (const s of good) {
    assert.ok(isIpNode(s) !== 0, s);
    assert.ok(isIp(s), s);
  }
});

test('parseIpv4 accepts what node:net calls IPv4, with its value, and nothing else (property)', () => {
  // parts near the edges: leading zeros, 255/256, empty, signs, spaces, letters, non-ASCII digits
  const part = fc.oneof(
    fc.nat(300).map(String),
    fc.constantFrom('', '0', '00', '01', '007', '255', '256', '1000', '-1', '+1', ' 1', '1 ', 'x', '0x1', '١'),
    fc.string({ unit: fc.constantFrom('0', '1', '9', '.', ' ', 'a', ':'), maxLength: 5 }),
  );
  const dotted = fc.array(part, { minLength: 0, maxLength: 6 }).map((a) => a.join('.'));
  fc.assert(
    fc.property(dotted, (s) => {
      const v = parseIpv4(s);
      assert.equal(v !== null, isIPv4(s), s);
      if (v !== null)
        assert.equal(
          v,
          s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0),
        );
    }),
    { seed: 42, numRuns: 20000 },
  );
});
