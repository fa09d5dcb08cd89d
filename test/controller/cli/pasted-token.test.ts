import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shippedBed } from '../shipped-bed.js';
import { tokenStorePath, writeTokenStore } from '../../../controller/auth/token-store-file.js';
import { newToken, type TokenStore } from '../../../controller/auth/tokens.js';
import { enrollCommand } from '../../../controller/cli/enroll.js';
import { initCommand } from '../../../controller/cli/init.js';
import { operatorCommand } from '../../../controller/cli/operator.js';
import { revokeCommand } from '../../../controller/cli/revoke.js';
import { tokensCommand } from '../../../controller/cli/tokens-list.js';
import { holdsToken, redactTokens } from '../../../shared/text/redact-token.js';
import { capture, testHooks } from '../api/controller-bed.js';

// A token pasted where a name goes (with a space, quotes, "Bearer ", upper-cased) must never be
// printed back, stored as a name, or listed: its secret would reach scrollback and logs.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
async function made(): Promise<{ config: string; admin: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ctlcfg-pasted-'));
  temps.push(dir);
  const r = await capture(initCommand(testHooks()).run, ['--dir', dir, '--listen', '127.0.0.1', '--port', '7999', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return { config: join(dir, 'controller.json'), admin: (JSON.parse(r.stdout) as { token: string }).token };
}
const secretOf = (token: string): string => token.split('.')[2] as string;

describe('redactTokens', () => {
  it('hides every secret, whatever its case or surroundings, and keeps the id', () => {
    const t = newToken().token;
    const id = t.split('.')[1] as string;
    for (const text of [t, ` ${t}`, `"'${t}'"`, `Bearer ${t}`, t.toUpperCase(), `no config at ${t}/controller.json`]) {
      expect(holdsToken(text)).toBe(true);
      const out = redactTokens(text);
      expect(out.toLowerCase()).not.toContain(secretOf(t).toLowerCase());
      expect(out.toLowerCase()).toContain(`xh1.${id}.…`);
    }
    expect([holdsToken('xen1'), redactTokens('web01 on xen1')]).toEqual([false, 'web01 on xen1']);
  });
});

describe('xenherd-controller commands given a pasted token', () => {
  it('operator and enroll refuse a token as the name, without echoing it, and store nothing', async () => {
    const c = await made();
    const before = readFileSync(tokenStorePath(join(c.config, '..', 'state')), 'utf8');
    for (const word of [c.admin, ` ${c.admin}`, c.admin.toUpperCase()]) {
      const op = await capture(operatorCommand(testHooks()).run, [word, '--config', c.config]);
      expect([op.code, op.stdout]).toEqual([64, '']);
      expect(op.stderr).toMatch(/XH_ERR_USAGE: NAME is a token \(xh1\.…\), not a name/);
      const en = await capture(enrollCommand(testHooks()).run, [word, '--config', c.config]);
      expect(en.code).toBe(64);
      expect(`${op.stderr}${en.stderr}`.toLowerCase()).not.toContain(secretOf(c.admin).toLowerCase());
    }
    expect(readFileSync(tokenStorePath(join(c.config, '..', 'state')), 'utf8')).toBe(before);
  });

  it('revoke given a token with a space, quotes, "Bearer " or upper-cased: refused, the secret never printed', async () => {
    const c = await made();
    for (const argv of [[` ${c.admin}`], [`'${c.admin}'`], [`Bearer ${c.admin}`], [c.admin.toUpperCase()], ['--operator', ` ${c.admin}`]]) {
      const r = await capture(revokeCommand(join(c.config, 'no-credential')).run, [...argv, '--config', c.config]);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`.toLowerCase()).not.toContain(secretOf(c.admin).toLowerCase());
    }
  });

  it('tokens never lists a secret stored as a name by an older release', async () => {
    const c = await made();
    const file = tokenStorePath(join(c.config, '..', 'state'));
    const store = JSON.parse(readFileSync(file, 'utf8')) as TokenStore;
    const t = newToken();
    store.operators[t.id] = { name: c.admin, role: 'read', sha256: t.sha256, createdAt: '2026-01-01T00:00:00.000Z' };
    writeTokenStore(file, store);
    for (const argv of [[], ['--json']]) {
      const r = await capture(tokensCommand().run, [...argv, '--config', c.config]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`xh1.${c.admin.split('.')[1] as string}.…`);
      expect(r.stdout).not.toContain(secretOf(c.admin));
    }
  });
});

// the shipped binary: an unknown command or a config path that is a token comes back on stderr without its secret
const shipped = shippedBed('xenherd-controller');

describe('xenherd-controller as shipped', () => {
  it('echoes no secret on stderr, whatever the command line', () => {
    const t = newToken().token;
    for (const argv of [[t], ['tokens', '--config', t], ['revoke', `Bearer ${t}`, '--config', '/nonexistent.json']]) {
      const r = spawnSync(shipped.bin('xenherd-controller'), argv, { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, argv.join(' ')).not.toBe(0);
      expect(r.stderr).not.toContain(secretOf(t));
      expect(r.stderr).toContain('xh1.');
    }
  });
});
