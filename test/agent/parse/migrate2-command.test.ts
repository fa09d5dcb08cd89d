import { describe, expect, it } from 'vitest';
import { parseMigrate2Command } from '../../../agent/parse/migrate2-command.js';
import { HOSTILE_COMMANDS } from './migrate2-corpus.js';

describe('migrate2 grammar', () => {
  it.each([
    ['ping', { op: 'ping' }],
    ['status web1', { op: 'status', name: 'web1', notMine: false }],
    ['status web1 --not-mine', { op: 'status', name: 'web1', notMine: true }],
    ['status web1 --tools', { op: 'status', name: 'web1', notMine: false, tools: true }],
    ['status web1 --not-mine --tools', { op: 'status', name: 'web1', notMine: true, tools: true }],
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

  it.each(['status web1 --tools --not-mine', 'status web1 --tools --tools', 'migrate2 web1 --tools', 'ping --tools', 'status --tools web1'])('rejects %j: --tools is a word of status alone, after --not-mine, once', (raw) => {
    expect(parseMigrate2Command(raw)).toMatchObject({ ok: false, error: { code: 'XH_ERR_COMMAND_REJECTED' } });
  });

  it.each(['status web1 --not-mine --live', 'status web1 --live', 'status web1 --not-mine ', 'status web1  --not-mine', 'status web1 --notmine', 'status --not-mine web1', 'status web1 --not-mine=1', 'migrate2 web1 --not-mine'])('rejects %j: --not-mine is a word of status alone, last, once', (raw) => {
    expect(parseMigrate2Command(raw)).toMatchObject({ ok: false, error: { code: 'XH_ERR_COMMAND_REJECTED' } });
  });

  // `status web1--incoming` was answered as a domU of its own and recorded "web1--incoming" as a
  // visitor in the ledger; migrate2 of such a name was refused only by chance (the half's lock)
  it.each([
    ['status web1--incoming', 'web1--incoming ends in --incoming', 'web1'],
    ['status web1--migratedaway --not-mine', 'web1--migratedaway ends in --migratedaway', 'web1'],
    ['migrate2 db.1--incoming --live', 'db.1--incoming ends in --incoming', 'db.1'],
    ['migrate2 web1--migratedaway', 'web1--migratedaway ends in --migratedaway', 'web1'],
  ])('rejects %j: a migration half\'s name is no domU\'s, and the refusal names the rule and the domU', (raw, why, domu) => {
    expect(parseMigrate2Command(raw)).toEqual({
      ok: false,
      error: { code: 'XH_ERR_COMMAND_REJECTED', message: `rejected: ${JSON.stringify(raw)}: ${why}, a name libxl gives a migration's half, never a domU's own: ask about ${domu}; nothing was run (accepted: "ping", "status NAME [--not-mine] [--tools]", "migrate2 NAME [--live]")` },
    });
  });

  it.each(['status web1--incomingx', 'status web1--incoming.old', 'migrate2 web1-incoming', 'migrate2 incoming--web1'])('accepts %j: only the whole suffix after a name is a half\'s', (raw) => {
    expect(parseMigrate2Command(raw)).toMatchObject({ ok: true });
  });

  it('rejects a missing SSH_ORIGINAL_COMMAND (interactive login)', () => {
    expect(parseMigrate2Command(undefined)).toMatchObject({ ok: false, error: { code: 'XH_ERR_COMMAND_REJECTED' } });
  });
});
