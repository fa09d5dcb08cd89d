import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenStorePath, writeTokenStore } from '../../../controller/auth/token-store-file.js';
import { emptyTokenStore } from '../../../controller/auth/tokens.js';
import { initCommand } from '../../../controller/cli/init.js';
import { tokensCommand } from '../../../controller/cli/tokens-list.js';
import { capture, testHooks } from '../api/controller-bed.js';

// xenherd-controller tokens: what is in tokens.json, without the hashes.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
const SHA = 'b'.repeat(64);
async function made(): Promise<{ config: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ctlcfg-tokens-'));
  temps.push(dir);
  const r = await capture(initCommand(testHooks()).run, ['--dir', dir, '--listen', '127.0.0.1', '--port', '7999', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  const file = tokenStorePath(join(dir, 'state'));
  const store = emptyTokenStore();
  store.agents['00000000000b'] = { host: 'xen-long-name.example.org', sha256: SHA, createdAt: '2026-12-02T00:00:00.000Z' };
  store.agents['00000000000a'] = { host: 'xen1', sha256: SHA, createdAt: '2026-12-01T00:00:00.000Z' };
  store.operators['0000000000f0'] = { name: 'admin', role: 'operate', sha256: SHA, createdAt: '2026-11-30T00:00:00.000Z' };
  writeTokenStore(file, store);
  return { config: join(dir, 'controller.json'), file };
}
const tokens = (argv: string[]) => capture(tokensCommand().run, argv);

describe('xenherd-controller tokens', () => {
  it('a table: agents by host, then operators, columns aligned, no hash', async () => {
    const c = await made();
    const r = await tokens(['--config', c.config]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'ID            KIND      HOST/NAME                  ROLE     CREATED',
        '00000000000b  agent     xen-long-name.example.org  -        2026-12-02T00:00:00.000Z',
        '00000000000a  agent     xen1                       -        2026-12-01T00:00:00.000Z',
        '0000000000f0  operator  admin                      operate  2026-11-30T00:00:00.000Z',
        '',
      ].join('\n'),
    );
    expect(r.stdout).not.toContain(SHA);
  });

  it('--json: one object with the rows', async () => {
    const c = await made();
    const r = await tokens(['--json', '--config', c.config]);
    expect(JSON.parse(r.stdout)).toEqual({
      tokens: [
        { id: '00000000000b', kind: 'agent', host: 'xen-long-name.example.org', createdAt: '2026-12-02T00:00:00.000Z' },
        { id: '00000000000a', kind: 'agent', host: 'xen1', createdAt: '2026-12-01T00:00:00.000Z' },
        { id: '0000000000f0', kind: 'operator', name: 'admin', role: 'operate', createdAt: '2026-11-30T00:00:00.000Z' },
      ],
    });
    expect(r.stdout).not.toContain(SHA);
  });

  it('no tokens: the header, and how to make one', async () => {
    const c = await made();
    writeTokenStore(c.file, emptyTokenStore());
    const r = await tokens(['--config', c.config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ID  KIND  HOST/NAME  ROLE  CREATED\n');
    expect(r.stderr).toBe('xenherd-controller: no tokens: `xenherd-controller enroll HOST` makes an agent\'s, `xenherd-controller operator NAME` an operator\'s\n');
  });

  it('a stray word is a usage error', async () => {
    const c = await made();
    const r = await tokens(['xen1', '--config', c.config]);
    expect([r.code, r.stderr]).toEqual([64, 'xenherd-controller: XH_ERR_USAGE: usage: xenherd-controller tokens [--json] [--config FILE]\n']);
  });
});
