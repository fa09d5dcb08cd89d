import { describe, expect, it } from 'vitest';
import { parseArgv, wantsJson } from '../../shared/cli/argv.js';

const specs = [
  { name: 'json', takesValue: false },
  { name: 'config', takesValue: true, short: 'c' },
];

describe('parseArgv', () => {
  it('reads flags, values in both spellings, and positionals', () => {
    const r = parseArgv(['web1', '--json', '--config=/etc/x.json'], specs);
    expect(r).toEqual({ ok: true, value: { options: { json: true, config: '/etc/x.json' }, positionals: ['web1'] } });
    expect(parseArgv(['-c', '/a'], specs)).toEqual({ ok: true, value: { options: { config: '/a' }, positionals: [] } });
    expect(parseArgv(['--config=-odd-name.json', 'x'], specs)).toEqual({ ok: true, value: { options: { config: '-odd-name.json' }, positionals: ['x'] } });
    expect(parseArgv(['--config', '-'], specs)).toEqual({ ok: true, value: { options: { config: '-' }, positionals: [] } });
  });

  it('treats everything after -- as positionals, even option-looking words', () => {
    expect(parseArgv(['--', '--json'], specs)).toEqual({ ok: true, value: { options: {}, positionals: ['--json'] } });
  });

  it.each([
    [['--nope'], 'unknown option "--nope"'],
    [['--json=yes'], 'option --json takes no value'],
    [['--config'], 'option --config needs a value'],
    [['--config', '--json'], 'option --config needs a value, not the option "--json" (a value that starts with "-" is written --config=VALUE)'],
    [['-c', '-x'], 'option --config needs a value, not the option "-x" (a value that starts with "-" is written --config=VALUE)'],
    [['--json', '--json'], 'option --json given twice'],
    [['-x'], 'unknown option "-x"'],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(parseArgv(argv, specs)).toEqual({ ok: false, error: { code: 'XH_ERR_USAGE', message } });
  });

  it('cuts an argument of megabytes in the message', () => {
    const r = parseArgv([`--${'a'.repeat(100_000)}`], specs);
    expect(r).toEqual({ ok: false, error: { code: 'XH_ERR_USAGE', message: `unknown option "--${'a'.repeat(198)}… (99802 more characters)"` } });
  });
});

describe('parseArgv: a repeatable option', () => {
  it('keeps every value in order, in both spellings; the others stay once-only', () => {
    const specs = [{ name: 'name', takesValue: true, repeatable: true }, { name: 'days', takesValue: true }];
    const r = parseArgv(['--name', 'a', '--name=b,c', '--days', '3'], specs);
    expect(r.ok && r.value).toEqual({ options: { days: '3' }, repeated: { name: ['a', 'b,c'] }, positionals: [] });
    const twice = parseArgv(['--days', '3', '--days', '4'], specs);
    expect(!twice.ok && twice.error.message).toBe('option --days given twice');
  });
});

describe('wantsJson', () => {
  it('finds --json anywhere before `--`, and not after it (a positional there, as parseArgv reads it)', () => {
    expect(wantsJson(['where', 'web1', '--json'])).toBe(true);
    expect(wantsJson(['--json'])).toBe(true);
    expect(wantsJson(['where', 'web1'])).toBe(false);
    expect(wantsJson(['--', '--json'])).toBe(false);
    expect(wantsJson(['--json', '--', 'x'])).toBe(true);
    expect(wantsJson(['--jsonx'])).toBe(false);
  });
});
