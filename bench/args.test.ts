import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchArgs } from './args.js';

describe('parseBenchArgs', () => {
  const rows: Array<[string[], boolean, string[] | string]> = [
    [[], false, ['throughput', 'memory', 'suite', 'hash', 'site', 'store']],
    [['--quick'], true, ['throughput', 'memory', 'suite', 'hash', 'site', 'store']],
    [['--only', 'redis'], false, ['store']],
    [['--only', 'site'], false, ['site']],
    [['--only', 'memory'], false, ['memory']],
    [['--only=udp,rss', '--quick'], true, ['throughput', 'suite']],
    [['--only', 'HTTP'], false, ['throughput']],
    [['--only'], false, 'needs a section'],
    [['--only', ''], false, 'needs a section'],
    [['--only', 'nope'], false, 'unknown section'],
    [['--fast'], false, 'unknown option'],
    [['--only', 'memory,'], false, 'unknown section'],
  ];
  for (const [argv, quick, want] of rows) {
    test(JSON.stringify(argv), () => {
      if (typeof want === 'string') {
        assert.throws(
          () => parseBenchArgs(argv),
          (e: Error) => e.message.includes(want),
        );
        return;
      }
      const a = parseBenchArgs(argv);
      assert.equal(a.quick, quick);
      assert.deepEqual([...a.only].sort(), [...want].sort());
    });
  }
});
