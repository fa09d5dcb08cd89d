import { describe, expect, it } from 'vitest';
import { parseMigrate2Command } from '../../../agent/parse/migrate2-command.js';
import { HOSTILE_COMMANDS } from './migrate2-corpus.js';

describe('migrate2 grammar', () => {
  it.each([
    ['ping', { op: 'ping' }],
    ['status web1', { op: 'status', name: 'web1', notMine: false }],
    ['status web1 --not-mine', { op: 'status', name: 'web1', notMine: true }],
    ['migrate2 web1', { op: 'migrate2', name: 'web1', live: false }],
    ['migrate2 web1 --live', { op: 'migrate2', name: 'web1', live: true }],
    ['migrate2 a.b_c-d9', { op: 'migrate2', name: 'a.b_c-d9', live: false }],
    [`migrate2 ${'a'.repeat(64)} --live`, { op: 'migrate2', name: 'a'.repeat(64), live: true }],
  ])('accepts %j', (raw, want) => {
    expect(parseMigrate2Command(raw)).toEqual({ ok: true, value: want });
  });

  it('has a hostile corpus of at least 100 distinct cases', () => {
    expect(new Set(HOSTILE_COMMANDS).size).toBe(HOSTILE_COMMANDS.length);
    expect(HOSTILE_COMMANDS.length).toBeGreaterThanOrEqual(100);
  });

  it.each(HOSTILE_COMMANDS.map((c) => [JSON.stringify(c).slice(0, 60), c] as const))('rejects %s', (_, raw) => {
    const r = parseMigrate2Command(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('XH_ERR_COMMAND_REJECTED');
      expect(r.error.message).toMatch(/^rejected: .*nothing was run/s);
      // the message escapes what it quotes: no raw control characters reach a terminal or a log
      expect(r.error.message).not.toMatch(/[\x00-\x1f\x7f]/);
    }
  });

  it.each(['status web1 --not-mine --live', 'status web1 --live', 'status web1 --not-mine ', 'status web1  --not-mine', 'status web1 --notmine', 'status --not-mine web1', 'status web1 --not-mine=1', 'migrate2 web1 --not-mine'])('rejects %j: --not-mine is a word of status alone, last, once', (raw) => {
    expect(parseMigrate2Command(raw)).toMatchObject({ ok: false, error: { code: 'XH_ERR_COMMAND_REJECTED' } });
  });

  it('rejects a missing SSH_ORIGINAL_COMMAND (interactive login)', () => {
    expect(parseMigrate2Command(undefined)).toMatchObject({ ok: false, error: { code: 'XH_ERR_COMMAND_REJECTED' } });
  });
});
