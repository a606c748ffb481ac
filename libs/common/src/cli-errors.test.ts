import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closestName, editDistance, unknownNameMessage, usageErrorText } from './cli-errors.js';

const PORT_FLAGS = ['--port', '--host', '--title', '--poll-interval', '--help'];

test('a typo gets the closest option', () => {
  assert.equal(unknownNameMessage('--porrt', PORT_FLAGS), 'unknown option --porrt (did you mean --port?)');
  assert.equal(unknownNameMessage('--hots', PORT_FLAGS), 'unknown option --hots (did you mean --host?)');
  assert.equal(unknownNameMessage('--poll', PORT_FLAGS), 'unknown option --poll (did you mean --poll-interval?)');
  assert.equal(unknownNameMessage('--frobnicate', PORT_FLAGS), 'unknown option --frobnicate');
  assert.equal(
    unknownNameMessage('Tracker.User', ['tracker.user', 'listen.tcp'], 'directive'),
    'unknown directive Tracker.User (did you mean tracker.user?)',
  );
});

test('short flags get no guess; odd names are shown quoted', () => {
  assert.equal(unknownNameMessage('-x', ['-p', '-P', '-i']), 'unknown option -x');
  assert.equal(unknownNameMessage('--a b', PORT_FLAGS), 'unknown option "--a b"');
  assert.equal(unknownNameMessage('--\u001b[31m', PORT_FLAGS), 'unknown option "--\\u001b[31m"');
});

test('usage error text names the app and --help', () => {
  assert.equal(usageErrorText('stats', 'unknown option --x'), "stats: unknown option --x\nRun 'stats --help' for the options.\n");
});

test('edit distance counts a swap of neighbours as one', () => {
  assert.equal(editDistance('--prot', '--port', 3), 1);
  assert.equal(editDistance('abc', 'abc', 3), 0);
  assert.equal(editDistance('abcdefgh', 'a', 2), 3);
});

test('property: a suggestion is always a known name, and any input is answered', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 20 }), (given, known) => {
      const hint = closestName(given, known);
      assert.ok(hint === null || known.includes(hint));
      assert.match(unknownNameMessage(given, known), /^unknown option /);
    }),
    { seed: 42, numRuns: 2000 },
  );
});

test('property: a one-letter typo in a long option is found', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PORT_FLAGS.filter((f) => f.length > 6)),
      fc.nat(),
      fc.constantFrom('q', 'z', 'x'),
      (flag, at, letter) => {
        const i = 2 + (at % (flag.length - 2));
        const typo = flag.slice(0, i) + letter + flag.slice(i + 1);
        if (typo === flag) return;
        assert.equal(closestName(typo, PORT_FLAGS), flag);
      },
    ),
    { seed: 42, numRuns: 300 },
  );
});
