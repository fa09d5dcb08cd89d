import { describe, expect, it } from 'vitest';
import { createLogger, journalPrefix, prefixLines, writesToJournal, type FdStat } from '../../shared/logger.js';

// Log lines reach the journal with their own priority (`journalctl -p err` finds error lines), and
// only there: in a terminal, a pipe or a test they stay plain JSON.
describe('journalPrefix', () => {
  it('maps each pino level to its syslog priority', () => {
    expect([60, 50, 40, 30, 20, 10].map(journalPrefix)).toEqual(['<2>', '<3>', '<4>', '<6>', '<7>', '<7>']);
  });
});

describe('writesToJournal', () => {
  const stat =
    (dev: bigint, ino: bigint): FdStat =>
    () => ({ dev, ino });
  it('is true only when the descriptor is the stream JOURNAL_STREAM names', () => {
    expect(writesToJournal({ JOURNAL_STREAM: '8:12345' }, 1, stat(8n, 12345n))).toBe(true);
    // inherited by a child whose stdout is a pipe or a terminal
    expect(writesToJournal({ JOURNAL_STREAM: '8:12345' }, 1, stat(8n, 999n))).toBe(false);
    expect(writesToJournal({ JOURNAL_STREAM: '8:12345' }, 1, stat(9n, 12345n))).toBe(false);
    expect(writesToJournal({ JOURNAL_STREAM: '8:12345' }, 1, () => null)).toBe(false);
  });

  it('is false without JOURNAL_STREAM, or with one it cannot read', () => {
    expect(writesToJournal({}, 1, stat(8n, 12345n))).toBe(false);
    expect(writesToJournal({ JOURNAL_STREAM: '' }, 1, stat(8n, 12345n))).toBe(false);
    expect(writesToJournal({ JOURNAL_STREAM: '8:12345:1' }, 1, stat(8n, 12345n))).toBe(false);
  });

  it('compares inode numbers beyond 2^53 exactly', () => {
    expect(writesToJournal({ JOURNAL_STREAM: '8:18446744073709551557' }, 1, stat(8n, 18446744073709551557n))).toBe(true);
    expect(writesToJournal({ JOURNAL_STREAM: '8:18446744073709551557' }, 1, stat(8n, 18446744073709551556n))).toBe(false);
  });

  it('reads the real descriptor by default (a test never runs on the journal stream)', () => {
    expect(writesToJournal({ JOURNAL_STREAM: '1:1' }, 1)).toBe(false);
  });
});

describe('createLogger', () => {
  const lines = (journal: boolean): string[] => {
    const out: string[] = [];
    const log = createLogger({ name: 't', level: 'trace', env: { JOURNAL_STREAM: '8:1' }, stat: () => ({ dev: 8n, ino: journal ? 1n : 2n }), sink: { write: (l: string) => out.push(l) } });
    log.fatal('f');
    log.error({ event: 'e' }, 'e');
    log.warn('w');
    log.child({ part: 'c' }).info('i');
    log.debug('d');
    log.trace('t');
    return out;
  };

  it('prefixes each line with the priority of its own call on the journal', () => {
    const out = lines(true);
    expect(out.map((l) => l.slice(0, 3))).toEqual(['<2>', '<3>', '<4>', '<6>', '<7>', '<7>']);
    // the rest is the JSON line as ever: journald strips the prefix
    for (const l of out) expect(JSON.parse(l.slice(3))).toMatchObject({ name: 't' });
  });

  it('writes plain JSON lines elsewhere', () => {
    for (const l of lines(false)) expect(() => JSON.parse(l)).not.toThrow();
  });
});

describe("a log line quoting another machine's words", () => {
  // an agent's command result or a peer's refusal, as the controller logs it (pending-commands.ts):
  // JSON.stringify escapes ESC and the other C0 controls, but wrote C1's CSI (U+009B, a control to
  // a UTF-8 terminal), a right-to-left override, a zero-width space and a line separator as they came
  const words = 'xen2 refused migrate2 web1: \u009b2J\u202edone\u200b\u2028\u007f';
  const logged = (journal: boolean): string[] => {
    const out: string[] = [];
    const log = createLogger({ name: 't', env: { JOURNAL_STREAM: '8:1' }, stat: () => ({ dev: 8n, ino: journal ? 1n : 2n }), sink: { write: (l: string) => out.push(l) } });
    log.warn({ event: 'command-done', said: words }, `migrate web1 on xen1: XH_ERR_REFUSED: ${words}`);
    return out;
  };

  it('writes them as JSON escapes, on the journal and elsewhere: the same JSON value', () => {
    for (const journal of [true, false]) {
      const [line, ...more] = logged(journal);
      expect(more).toEqual([]);
      expect(line).toMatch(/\n$/);
      expect(line?.slice(0, -1)).not.toMatch(/[\u007f-\u009f\u200b\u2028\u202e]/);
      expect(line).toContain('\\u009b2J\\u202edone\\u200b\\u2028\\u007f');
      const json = JSON.parse((line ?? '').slice(journal ? 3 : 0)) as Record<string, unknown>;
      expect([json['msg'], json['said']]).toEqual([`migrate web1 on xen1: XH_ERR_REFUSED: ${words}`, words]);
    }
  });
});

describe('prefixLines', () => {
  it('puts the prefix before every line of a message, none after its last newline', () => {
    expect(prefixLines('xenherd-agent: XH_ERR_CONFIG: bad\nsee README\n', '<3>')).toBe('<3>xenherd-agent: XH_ERR_CONFIG: bad\n<3>see README\n');
    expect(prefixLines('one', '<3>')).toBe('<3>one');
  });
});
