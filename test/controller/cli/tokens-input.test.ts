import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authenticate, type TokenStore } from '../../../controller/auth/tokens.js';
import { enrollCommand } from '../../../controller/cli/enroll.js';
import { initCommand } from '../../../controller/cli/init.js';
import { operatorCommand } from '../../../controller/cli/operator.js';
import { capture, testHooks } from '../api/controller-bed.js';

// enroll and operator: which names they take, what a second token for the same name does, and
// what they say about it.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
async function made(port = '7999'): Promise<{ dir: string; config: string; store: () => TokenStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'ctlcfg-tok-'));
  temps.push(dir);
  const r = await capture(initCommand(testHooks()).run, ['--dir', dir, '--listen', '127.0.0.1', '--port', port, '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return { dir, config: join(dir, 'controller.json'), store: () => JSON.parse(readFileSync(join(dir, 'state', 'tokens.json'), 'utf8')) as TokenStore };
}
const enroll = (argv: string[]) => capture(enrollCommand(testHooks()).run, argv);
const operator = (argv: string[]) => capture(operatorCommand(testHooks()).run, argv);
const works = (store: TokenStore, token: string): boolean => authenticate(store, `Bearer ${token}`).ok;

describe('xenherd-controller enroll', () => {
  it('names a key a hand edit put in tokens.json with what could steer the terminal escaped', async () => {
    const c = await made();
    const file = join(c.dir, 'state', 'tokens.json');
    const key = 'operators\u202e\u009b2J\u001b]0;x\u0007';
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), [key]: {} }));
    const r = await enroll(['xen1', '--config', c.config]);
    expect(r.code).toBe(78);
    // the key is quoted as JSON (which escapes C0 controls), then the line made printable (the rest)
    expect(r.stderr).toContain('unknown key "operators\\u{202e}\\x9b2J\\u001b]0;x\\u0007"');
    expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });


  it.each(['xen..1', 'xen1.', '.xen1', 'xen1-', 'xen-.example.org', 'xen_1', 'xen 1'])('refuses the host name %j, naming it and what a host name is', async (host) => {
    const c = await made();
    const r = await enroll([host, '--config', c.config]);
    expect([r.code, r.stdout]).toEqual([64, '']);
    expect(r.stderr).toContain(`XH_ERR_USAGE: ${JSON.stringify(host)} is not a host name: give the Dom0's name as`);
    expect(Object.keys(c.store().agents)).toEqual([]);
  });

  it.each(['xen1', 'xen-1.example.org', 'XEN1', '10.0.0.1'])('takes %s', async (host) => {
    const c = await made();
    expect((await enroll([host, '--config', c.config])).code).toBe(0);
    expect(Object.values(c.store().agents).map((a) => a.host)).toEqual([host]);
  });

  it('XEN1 after xen1 is the same host: one token, the old one stops working, and the message says so', async () => {
    const c = await made();
    const first = JSON.parse((await enroll(['xen1', '--config', c.config])).stdout) as { controller: { token: string } };
    const second = await enroll(['XEN1', '--config', c.config]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('enrolled XEN1 (host names ignore case: this is the host enrolled as "xen1", whose previous token no longer works; its agent must now report as "XEN1")');
    const token = (JSON.parse(second.stdout) as { controller: { token: string } }).controller.token;
    const store = c.store();
    expect(Object.values(store.agents).map((a) => a.host)).toEqual(['XEN1']);
    expect([works(store, first.controller.token), works(store, token)]).toEqual([false, true]);
  });

  it('refuses a config listening on port 0 without publicUrl: the agent needs the real port', async () => {
    const c = await made('0');
    const r = await enroll(['xen1', '--config', c.config]);
    expect([r.code, r.stdout]).toEqual([78, '']);
    expect(r.stderr).toContain(`${c.config}: key "listen.port": is 0 (any free port), and the agent needs the controller's real port to dial: set listen.port (e.g. 7443), or publicUrl`);
    expect(Object.keys(c.store().agents)).toEqual([]);
    // with publicUrl the port is known
    const config = JSON.parse(readFileSync(c.config, 'utf8')) as Record<string, unknown>;
    writeFileSync(c.config, JSON.stringify({ ...config, publicUrl: 'https://ctl.example:7443' }));
    const ok = await enroll(['xen1', '--config', c.config]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ controller: { url: 'wss://ctl.example:7443' } });
  });

  it('--config without its file says what it needs', async () => {
    const r = await enroll(['xen1', '--config']);
    expect([r.code, r.stderr]).toEqual([64, 'xenherd-controller: XH_ERR_USAGE: --config needs a value (the controller.json file)\n']);
  });
});

describe('xenherd-controller operator', () => {
  it('a second token for the same name replaces the first, which stops working, and says so', async () => {
    const c = await made();
    const first = (await operator(['alice', '--config', c.config])).stdout.trim();
    const again = await operator(['alice', '--role', 'operate', '--config', c.config]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('token for alice (role operate) (it replaces the token of "alice" (role read), which no longer works)');
    const store = c.store();
    expect(Object.values(store.operators).map((o) => `${o.name}:${o.role}`).sort()).toEqual(['admin:operate', 'alice:operate']);
    expect([works(store, first), works(store, again.stdout.trim())]).toEqual([false, true]);
  });

  it('names ignore case: Alice replaces alice', async () => {
    const c = await made();
    await operator(['alice', '--config', c.config]);
    const r = await operator(['Alice', '--config', c.config]);
    expect(r.stderr).toContain('(operator names ignore case: it replaces the token of "alice" (role read), which no longer works)');
    expect(Object.values(c.store().operators).map((o) => o.name)).toEqual(['admin', 'Alice']);
  });

  it('--role followed by --config says --role needs a value instead of printing the usage line', async () => {
    const c = await made();
    const r = await operator(['alice', '--role', '--config', c.config]);
    expect([r.code, r.stderr]).toEqual([64, 'xenherd-controller: XH_ERR_USAGE: --role needs a value (read or operate)\n']);
    const last = await operator(['alice', '--config', c.config, '--role']);
    expect(last.stderr).toBe('xenherd-controller: XH_ERR_USAGE: --role needs a value (read or operate)\n');
    expect(Object.values(c.store().operators).map((o) => o.name)).toEqual(['admin']);
  });
});
