import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../libs/common/src/log.js';
import { parseJournal } from '../../../libs/swarm/src/index.js';
import { openJournal, type JournalIo } from './completion-journal.js';
import { removeStaleTemps } from '../../../libs/common/src/atomic-write.js';

const log = createLogger('test', 'silent');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));
  dirs.push(d);
  return path.join(d, 'tracker.journal');
}

const key = (n: number): string => Buffer.alloc(20, n).toString('latin1');
const hex = (n: number): string => Buffer.alloc(20, n).toString('hex');
let ids = 0;
const newId = (): string => (++ids).toString(16).padStart(16, '0');

function open(file: string, state: { id: string; seq: number } | null = null, keep = 1000, io?: JournalIo) {
  return openJournal({ file, keep, state, newId, now: () => 1000, log, io });
}

describe('completion journal', () => {
  test('a new journal: header, one line per completion, entries served by seq', () => {
    const file = tmpFile();
    const { journal, replayed } = open(file);
    assert.equal(replayed, 0);
    journal.record(key(1), 111);
    journal.record(key(2), 222);
    journal.record(key(1), 333);
    assert.equal(
      fs.readFileSync(file, 'latin1'),
      `# completion-journal ${journal.id} 0\n1 111 ${hex(1)}\n2 222 ${hex(2)}\n3 333 ${hex(1)}\n`,
    );
    assert.deepEqual(journal.entries(1, 10), [
      [2, 222, hex(2)],
      [3, 333, hex(1)],
    ]);
    assert.deepEqual(journal.entries(0, 1), [[1, 111, hex(1)]]);
    assert.deepEqual(journal.entries(3, 10), []);
    assert.deepEqual([journal.status().first, journal.status().last], [1, 3]);
    assert.ok(journal.close());
  });

  test('reopened after the state file covered seq 1: entries 2 and 3 are replayed, seqs go on from 3', () => {
    const file = tmpFile();
    const a = open(file).journal;
    for (let i = 1; i <= 3; i++) a.record(key(i), i);
    a.close();
    const b = open(file, { id: a.id, seq: 1 });
    assert.equal(b.journal.id, a.id);
    assert.equal(b.replayed, 2);
    assert.deepEqual(
      [...b.replay],
      [
        [hex(2), { count: 1, lastMs: 2 }],
        [hex(3), { count: 1, lastMs: 3 }],
      ],
    );
    b.journal.record(key(9), 9);
    assert.deepEqual(
      b.journal.entries(0, 10).map((e) => e[0]),
      [1, 2, 3, 4],
    );
  });

  test('a torn last line (crash mid-append) is cut off, never applied, and the seq is reused by the next completion', () => {
    const file = tmpFile();
    const a = open(file).journal;
    a.record(key(1), 1);
    a.close();
    fs.appendFileSync(file, `2 2 ${hex(2).slice(0, 17)}`);
    const b = open(file, { id: a.id, seq: 0 });
    assert.equal(b.replayed, 1);
    b.journal.record(key(3), 3);
    b.journal.close();
    const p = parseJournal(fs.readFileSync(file, 'latin1'));
    assert.equal(p.badCount, 0);
    assert.deepEqual(
      p.entries.map((e) => [e.seq, e.hex]),
      [
        [1, hex(1)],
        [2, hex(3)],
      ],
    );
  });

  test("a journal missing: a new one keeps the state's id and continues after its seq", () => {
    const file = tmpFile();
    const { journal, replayed } = open(file, { id: 'abcdefabcdefabcd', seq: 41 });
    assert.equal(replayed, 0);
    assert.equal(journal.id, 'abcdefabcdefabcd');
    journal.record(key(1), 1);
    assert.deepEqual(journal.entries(0, 10), [[42, 1, hex(1)]]);
    assert.deepEqual(journal.status().first, 42);
  });

  test('a state file of another journal: nothing is replayed, the journal keeps its id', () => {
    const file = tmpFile();
    const a = open(file).journal;
    a.record(key(1), 1);
    a.close();
    const b = open(file, { id: 'ffffffffffffffff', seq: 0 });
    assert.equal(b.replayed, 0);
    assert.equal(b.journal.id, a.id);
  });

  test('a state file without a journal line (opentracker statedump, older tracker): the whole journal is added', () => {
    const file = tmpFile();
    const a = open(file).journal;
    a.record(key(1), 1);
    a.record(key(1), 2);
    a.close();
    const b = open(file, null);
    assert.equal(b.replayed, 2);
    assert.deepEqual(b.replay.get(hex(1)), { count: 2, lastMs: 2 });
  });

  test('full disk: completions queue in order, the feed serves only written ones, nothing is lost or doubled when it frees', () => {
    const file = tmpFile();
    let full = false;
    let halfWrites = 0;
    const io: JournalIo = {
      ...fs,
      writeSync: ((fd: number, buf: Buffer, off?: number, len?: number) => {
        if (!full) return fs.writeSync(fd, buf, off ?? 0, len ?? buf.length - (off ?? 0));
        if (halfWrites-- > 0) return fs.writeSync(fd, buf, off ?? 0, Math.max(1, Math.floor((len ?? buf.length) / 2)));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }) as JournalIo['writeSync'],
    };
    const { journal } = open(file, null, 1000, io);
    journal.record(key(1), 1);
    full = true;
    halfWrites = 1; // the first failing append writes part of its line, then fails
    journal.record(key(2), 2);
    journal.record(key(3), 3);
    assert.equal(journal.writePending(), false);
    const st = journal.status();
    assert.deepEqual([st.last, st.pending], [1, 2]);
    assert.ok(st.writeErrors >= 3);
    assert.deepEqual(
      journal.entries(0, 10).map((e) => e[0]),
      [1],
    );
    // the torn part was cut back: the file still parses cleanly
    assert.equal(parseJournal(fs.readFileSync(file, 'latin1')).tornBytes, 0);
    assert.equal(journal.close(), false, 'close says it could not flush');
    full = false;
    const again = open(file, null, 1000, io);
    // a crash while full loses the unwritten ones (never acknowledged to the feed), and reuses nothing
    assert.equal(again.replayed, 1);
    again.journal.record(key(4), 4);
    full = true;
    again.journal.record(key(5), 5);
    full = false;
    again.journal.record(key(6), 6);
    assert.deepEqual(
      again.journal.entries(0, 10).map((e) => [e[0], e[2]]),
      [
        [1, hex(1)],
        [2, hex(4)],
        [3, hex(5)],
        [4, hex(6)],
      ],
    );
    assert.ok(again.journal.close());
    const p = parseJournal(fs.readFileSync(file, 'latin1'));
    assert.equal(p.badCount, 0);
    assert.deepEqual(
      p.entries.map((e) => e.seq),
      [1, 2, 3, 4],
    );
  });

  test('compaction keeps the last `keep` entries once the state covers them; a crash on either side of it applies nothing twice', () => {
    const file = tmpFile();
    const { journal } = open(file, null, 100);
    for (let i = 1; i <= 1000; i++) journal.record(key(i % 250), i);
    journal.compact(999); // the state does not cover seq 1000 yet: no rewrite
    assert.equal(parseJournal(fs.readFileSync(file, 'latin1')).count, 1000);
    // "crash" here: state covers 1000, the journal still holds everything -> nothing to replay
    assert.equal(open(file, { id: journal.id, seq: 1000 }, 100).replayed, 0);
    journal.compact(1000);
    const p = parseJournal(fs.readFileSync(file, 'latin1'));
    assert.deepEqual([p.base, p.count, p.entries[0]!.seq], [900, 100, 901]);
    journal.record(key(7), 1001);
    journal.close();
    const b = open(file, { id: journal.id, seq: 1000 }, 100);
    assert.equal(b.replayed, 1);
    assert.deepEqual([b.journal.status().first, b.journal.status().last], [902, 1001]);
  });

  test('temp files of a rewrite cut short by a kill are removed at start, nothing else', () => {
    const file = tmpFile();
    const dir = path.dirname(file);
    const names = ['.tracker.journal.0123456789ab.tmp', '.tracker.journal.xyz.tmp', '.other.0123456789ab.tmp', 'tracker.journal'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), 'x');
    assert.equal(removeStaleTemps(file), 1);
    assert.deepEqual(fs.readdirSync(dir).sort(), names.slice(1).sort());
  });
});
