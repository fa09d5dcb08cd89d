import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { readTokenStore, TokenBook, updateTokenStore } from '../../../controller/auth/token-store-file.js';
import { newToken } from '../../../controller/auth/tokens.js';
import { err, ok } from '../../../shared/result.js';
import { scratch } from '../../agent/adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());
/** bundles of the race's child, under node_modules/.cache (where its imports resolve) */
const built: string[] = [];
afterEach(() => built.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = (): string => s.dir('tokens');

const addAgent = (host: string) => (store: Parameters<Parameters<typeof updateTokenStore>[1]>[0]) => {
  const t = newToken();
  store.agents[t.id] = { host, sha256: t.sha256, createdAt: new Date(0).toISOString() };
  return ok(t.id);
};

describe('readTokenStore', () => {
  it('refuses a key given twice (a role lowered above an older one), naming the place; an enroll leaves the file as it was', async () => {
    const file = join(stateDir(), 'tokens.json');
    const t = newToken();
    const entry = (role: string): string => `{"name": "alice", "role": "${role}", "sha256": "${t.sha256}", "createdAt": "2025-01-01T00:00:00.000Z"}`;
    const text = `{\n  "schema": 1,\n  "agents": {},\n  "operators": {\n    "${t.id}": ${entry('read')},\n    "${t.id}": ${entry('operate')}\n  }\n}\n`;
    writeFileSync(file, text);
    const message = `${file}: line 6, column 5: key "operators.${t.id}" appears twice (lines 5 and 6): keep one (the right one), or restore the file from a backup`;
    expect(readTokenStore(file)).toEqual({ ok: false, error: { code: 'XH_ERR_CONFIG', message } });
    expect(await updateTokenStore(file, addAgent('xen1'))).toEqual({ ok: false, error: { code: 'XH_ERR_CONFIG', message } });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('tokens.json as a symbolic link', () => {
  it('to a missing file (a disk not mounted) is an error, not an empty store an enroll would write over', async () => {
    const dir = stateDir();
    const file = join(dir, 'tokens.json');
    symlinkSync(join(dir, 'vault', 'tokens.json'), file);
    const r = readTokenStore(file);
    expect(r.ok ? null : r.error).toEqual({ code: 'XH_ERR_CONFIG', message: `${file} is a symbolic link to "${join(dir, 'vault', 'tokens.json')}", which does not exist: mount or restore it, or remove the link to start with no tokens` });
    expect((await updateTokenStore(file, addAgent('xen1'))).ok).toBe(false);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
  });

  it('to a file: read through it, but an enroll refuses to cut the link, and the target keeps every token', async () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'vault'));
    const target = join(dir, 'vault', 'tokens.json');
    expect((await updateTokenStore(target, addAgent('xen1'))).ok).toBe(true);
    const before = readFileSync(target, 'utf8');
    const file = join(dir, 'tokens.json');
    symlinkSync(target, file);
    expect(Object.values(readTokenStore(file).ok ? (readTokenStore(file) as { value: { agents: Record<string, { host: string }> } }).value.agents : {}).map((a) => a.host)).toEqual(['xen1']);
    const r = await updateTokenStore(file, addAgent('xen2'));
    expect(r.ok ? null : r.error.message).toContain('is a symbolic link to');
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(before);
  });
});

describe('updateTokenStore', () => {
  it('eight processes enrolling at once: every token is kept', async () => {
    const file = join(stateDir(), 'tokens.json');
    // bundled once where node_modules resolves (as packaging/run-ts.mjs does), then run 8 times
    const cache = resolve('node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const out = join(mkdtempSync(join(cache, 'xh-token-race-')), 'child.mjs');
    built.push(join(out, '..'));
    await build({ entryPoints: [resolve('test/controller/auth/update-token-store-child.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    const children = Array.from({ length: 8 }, (_, i) => {
      const c = spawn(process.execPath, [out, file, `xen${i + 1}`], { stdio: ['pipe', 'pipe', 'inherit'] });
      let text = '';
      const ready = new Promise<void>((r) => c.stdout.on('data', (d: Buffer) => ((text += d.toString()), text.startsWith('ready\n') && r())));
      const done = new Promise<string>((r) => c.once('close', () => r(text.replace('ready\n', '').trim())));
      return { c, ready, done };
    });
    await Promise.all(children.map((k) => k.ready));
    for (const k of children) k.c.stdin.end('go\n');
    const ids = await Promise.all(children.map((k) => k.done));
    expect(ids.every((id) => /^[A-Za-z0-9_-]+$/.test(id)), ids.join(', ')).toBe(true);
    const store = readTokenStore(file);
    expect(store.ok && Object.keys(store.value.agents).sort()).toEqual([...ids].sort());
  }, 60_000);

  it("a change's error leaves the file as it was, and releases the lock", async () => {
    const file = join(stateDir(), 'tokens.json');
    await updateTokenStore(file, addAgent('xen1'));
    const before = readTokenStore(file);
    const r = await updateTokenStore(file, (store) => {
      addAgent('xen2')(store);
      return err({ code: 'XH_ERR_USAGE' as const, message: 'no' });
    });
    expect(r.ok).toBe(false);
    expect(readTokenStore(file)).toEqual(before);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a corrupt store is refused, not overwritten', async () => {
    const file = join(stateDir(), 'tokens.json');
    writeFileSync(file, 'garbage');
    const r = await updateTokenStore(file, addAgent('xen1'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'XH_ERR_CONFIG', message: expect.stringMatching(/not valid JSON/) });
  });

  it('a hand edit with a stray key or a bad value names the key and the fix, never an empty path', () => {
    const file = join(stateDir(), 'tokens.json');
    writeFileSync(file, JSON.stringify({ schema: 1, agents: {}, operators: {}, operator: {} }));
    expect(readTokenStore(file)).toEqual({ ok: false, error: { code: 'XH_ERR_CONFIG', message: `${file}: unknown key "operator": remove it or fix its spelling (see README, "The controller and xenherdctl"): fix it, or restore the file from a backup` } });
    writeFileSync(file, JSON.stringify({ schema: 2, agents: {}, operators: {} }));
    const bad = readTokenStore(file);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: key "schema": .*: fix it, or restore the file from a backup$`));
  });

  it('a byte-order mark before the JSON is read past', () => {
    const file = join(stateDir(), 'tokens.json');
    writeFileSync(file, `\ufeff${JSON.stringify({ schema: 1, agents: {}, operators: {} })}`);
    expect(readTokenStore(file).ok).toBe(true);
  });
});

describe('TokenBook', () => {
  it('says so when a store that held tokens is removed', async () => {
    const file = join(stateDir(), 'tokens.json');
    await updateTokenStore(file, addAgent('xen1'));
    const problems: string[] = [];
    const book = new TokenBook(file, (event, m) => problems.push(`${event}: ${m}`));
    expect(Object.keys(book.current().agents)).toHaveLength(1);
    unlinkSync(file);
    expect(Object.keys(book.current().agents)).toHaveLength(0);
    expect(problems).toEqual([expect.stringMatching(/^tokens-gone: .*tokens\.json is gone: no token works until it is back/)]);
    // said once
    book.current();
    expect(problems).toHaveLength(1);
  });
});
