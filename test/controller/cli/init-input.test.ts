import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initCommand, nextSteps } from '../../../controller/cli/init.js';
import { DEFAULT_CONFIG_PATH } from '../../../controller/cli/hooks.js';
import { parsePort, sanProblem } from '../../../controller/cli/init-options.js';
import { shellWord } from '../../../controller/cli/common.js';
import { capture, testHooks } from '../api/controller-bed.js';

// `init` as a hostile operator's typing reaches it: every refusal names the option and what it takes.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ctlcfg-init-'));
  temps.push(d);
  return d;
};
const init = (argv: string[]) => capture(initCommand(testHooks()).run, argv);

describe('xenherd-controller init: options', () => {
  it('an empty --dir is refused, never the current directory', async () => {
    const cwd = temp();
    const before = process.cwd();
    process.chdir(cwd);
    try {
      for (const argv of [['--dir', ''], ['--dir='], ['--dir', ' ']]) {
        const r = await init(argv);
        expect([r.code, r.stderr]).toEqual([64, expect.stringContaining('XH_ERR_USAGE: --dir needs a directory, e.g. /etc/xenherd')]);
      }
    } finally {
      process.chdir(before);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--port is plain decimal: 1e3, 0x10, 08, +1, 65536 are refused', async () => {
    expect(['1', '7443', '65535', '0'].map(parsePort)).toEqual([1, 7443, 65535, 0]);
    expect(['1e3', '0x10', '08', '+1', ' 1', '1.0', '65536', '-1', ''].map(parsePort)).toEqual(Array(9).fill(null));
    const dir = temp();
    const r = await init(['--dir', dir, '--port', '1e3']);
    expect([r.code, r.stderr]).toEqual([64, expect.stringContaining('--port must be a port number in plain decimal, 1-65535 (0: any free port), not "1e3"')]);
    expect(existsSync(join(dir, 'controller.json'))).toBe(false);
  });

  it('--san: a zone id, an empty name and a non-name are refused, naming the value and the fix', async () => {
    expect(sanProblem('fe80::1%eth0')).toBe('--san "fe80::1%eth0": a zone id (%eth0) cannot go in a certificate: give the address without it, e.g. fe80::1');
    expect(sanProblem('')).toMatch(/^--san has an empty name \(an empty --san, or a stray comma\)/);
    expect(sanProblem('xen..1')).toMatch(/^--san "xen\.\.1" is neither a host name/);
    expect(['ctl.example.org', 'fe80::1', '10.0.0.1'].map(sanProblem)).toEqual([null, null, null]);
    for (const san of ['', 'a,,b', 'fe80::1%eth0', 'ctl.']) {
      const dir = temp();
      const r = await init(['--dir', dir, '--san', san]);
      expect(r.code, san).toBe(64);
      expect(readdirSync(dir), san).toEqual([]);
    }
  });

  it('an option followed by another option says the value is missing, and what it takes', async () => {
    const r = await init(['--dir', '--port', '7443']);
    expect([r.code, r.stderr]).toEqual([64, 'xenherd-controller: XH_ERR_USAGE: --dir needs a value (a directory, e.g. /etc/xenherd)\n']);
  });

  it('the printed lines are safe for sh, whatever the directory is called', async () => {
    const dir = join(temp(), "c sp'q $HOME `x`");
    const r = await init(['--dir', dir, '--listen', '127.0.0.1', '--port', '7999']);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('export ')) as string;
    expect(line).toContain(`XENHERD_CA=${shellWord(join(dir, 'tls', 'ca.crt'))}`);
    const seen = execFileSync('sh', ['-c', `${line}; printf '%s\\n' "$XENHERD_URL" "$XENHERD_CA"`], { encoding: 'utf8' });
    expect(seen).toBe(`https://127.0.0.1:7999\n${join(dir, 'tls', 'ca.crt')}\n`);
    const start = r.stdout.split('\n').find((l) => l.startsWith('start it:')) as string;
    expect(start).toContain(`--config ${shellWord(join(dir, 'controller.json'))}`);
  });

  it('in /etc/xenherd, where the packaged unit reads it: enroll, then systemctl enable --now, not a serve by hand as root', () => {
    const lines = nextSteps(DEFAULT_CONFIG_PATH);
    expect(lines.find((l) => l.startsWith('start it:'))).toMatch(/^start it: +systemctl enable --now xenherd-controller /);
    expect(lines.find((l) => l.startsWith('enroll an agent:'))).toMatch(/^enroll an agent: +xenherd-controller enroll HOST$/);
    expect(lines.join('\n')).not.toContain('serve');
    expect(lines.findIndex((l) => l.startsWith('enroll'))).toBeLessThan(lines.findIndex((l) => l.startsWith('start it:')));
  });

  it('shellWord leaves plain words alone and single-quotes the rest', () => {
    expect(shellWord('/etc/xenherd/tls/ca.crt')).toBe('/etc/xenherd/tls/ca.crt');
    expect(shellWord("a b'c")).toBe("'a b'\\''c'");
    expect(shellWord('')).toBe("''");
  });

  it("never overwrites a file it would write: an operator's own CA certificate or server certificate stays", async () => {
    for (const file of ['ca.crt', 'server.crt']) {
      const dir = temp();
      mkdirSync(join(dir, 'tls'));
      writeFileSync(join(dir, 'tls', file), 'MY OWN CERTIFICATE\n');
      const r = await init(['--dir', dir, '--port', '7443']);
      expect([r.code, r.stderr], file).toEqual([77, expect.stringContaining(`${join(dir, 'tls', file)} already exist: nothing was written`)]);
      expect(readFileSync(join(dir, 'tls', file), 'utf8')).toBe('MY OWN CERTIFICATE\n');
      expect(readdirSync(dir).sort()).toEqual(['tls']);
    }
  });
});
