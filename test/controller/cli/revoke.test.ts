import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { tokenStorePath, writeTokenStore } from '../../../controller/auth/token-store-file.js';
import { authenticate, newToken, type TokenStore } from '../../../controller/auth/tokens.js';
import { enrollCommand } from '../../../controller/cli/enroll.js';
import { initCommand } from '../../../controller/cli/init.js';
import { operatorCommand } from '../../../controller/cli/operator.js';
import { revokeCommand } from '../../../controller/cli/revoke.js';
import { takeLock } from '../../../shared/fs/file-lock.js';
import { until } from '../../helpers/until.js';
import { capture, testHooks } from '../api/controller-bed.js';

// xenherd-controller revoke: what it removes, what it refuses, and what it says about the running controller.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
async function made(): Promise<{ dir: string; config: string; file: string; store: () => TokenStore; admin: string; credential: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ctlcfg-revoke-'));
  temps.push(dir);
  const r = await capture(initCommand(testHooks()).run, ['--dir', dir, '--listen', '127.0.0.1', '--port', '7999', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  const file = tokenStorePath(join(dir, 'state'));
  return { dir, config: join(dir, 'controller.json'), file, store: () => JSON.parse(readFileSync(file, 'utf8')) as TokenStore, admin: (JSON.parse(r.stdout) as { token: string }).token, credential: join(dir, 'no-credential') };
}
type Made = Awaited<ReturnType<typeof made>>;
const enroll = async (c: Made, host: string): Promise<string> => (JSON.parse((await capture(enrollCommand(testHooks()).run, [host, '--config', c.config])).stdout) as { controller: { token: string } }).controller.token;
const operator = async (c: Made, name: string, role: 'read' | 'operate'): Promise<string> => (await capture(operatorCommand(testHooks()).run, [name, '--role', role, '--config', c.config])).stdout.trim();
const revoke = (c: Made, argv: string[]) => capture(revokeCommand(c.credential).run, [...argv, '--config', c.config]);
const works = (store: TokenStore, token: string): boolean => authenticate(store, `Bearer ${token}`).ok;
const idOf = (token: string): string => token.split('.')[1] as string;

/**
 * How many times this process has tried to take the lock file LOCK since the call: each try writes
 * its identity to LOCK.PID, links that to LOCK and removes LOCK.PID at once (shared/fs/file-lock.ts),
 * which the directory's inotify events still show: LOCK.PID made, then gone. Watched until the test ends.
 */
function lockTriesSince(lock: string): () => number {
  const mine = `${basename(lock)}.${process.pid}`;
  let madeOrGone = 0;
  const watcher = watch(dirname(lock), (event, name) => {
    if (event === 'rename' && name === mine) madeOrGone++;
  });
  onTestFinished(() => watcher.close());
  return () => Math.ceil(madeOrGone / 2);
}

describe('xenherd-controller revoke: its usage', () => {
  it('--help gives each usage line whole, with the command name, so each can be copied', () => {
    const usage = (revokeCommand().help ?? '').split('\n').filter((l) => l.includes('xenherd-controller revoke ') && l.includes('[--config FILE]'));
    expect(usage).toEqual([
      'usage: xenherd-controller revoke HOST [--json] [--config FILE]',
      '       xenherd-controller revoke --operator NAME [--force] [--json] [--config FILE]',
      '       xenherd-controller revoke --id TOKENID|TOKEN [--force] [--json] [--config FILE]',
    ]);
  });

  it('--force with HOST, where it means nothing, is a usage error saying when it applies; nothing is revoked', async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    const r = await revoke(c, ['xen1', '--force']);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe("xenherd-controller: XH_ERR_USAGE: --force applies only with --operator NAME or --id TOKENID, to revoke the last operator token with the role operate; HOST's agent tokens need no --force (xenherd-controller revoke --help)\n");
    expect(works(c.store(), xen1)).toBe(true);
  });
});

describe('xenherd-controller revoke HOST', () => {
  it("removes every agent token of HOST (names ignore case), one line each, and says the running controller applies it at once", async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    const xen2 = await enroll(c, 'xen2');
    // a second token of xen1 under another spelling, as a hand edit or an older release could leave
    const store = c.store();
    const extra = newToken();
    store.agents[extra.id] = { host: 'XEN1', sha256: extra.sha256, createdAt: '2026-01-01T00:00:00.000Z' };
    writeTokenStore(c.file, store);
    const r = await revoke(c, ['Xen1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`revoked agent token ${extra.id} of XEN1 (made 2026-01-01T00:00:00.000Z)`);
    expect(lines[1]).toMatch(new RegExp(`^revoked agent token ${idOf(xen1)} of xen1 \\(made 20`));
    expect(r.stderr).toBe('xenherd-controller: a running `xenherd-controller serve` reading this tokens.json applies it at once: it refuses new links of XEN1, xen1, and closes an open one at its next message (within a heartbeat); the agent keeps retrying and is refused: stop it, or enroll the host again. Once its link is down the controller forgets the host: its domUs leave where, status and check. To replace a leaked token of a Dom0 still in service, enroll it again instead (that replaces the token; the host stays in the fleet, unreachable until its agent has the new one)\n');
    const after = c.store();
    expect(Object.values(after.agents).map((a) => a.host)).toEqual(['xen2']);
    expect([works(after, xen1), works(after, xen2), works(after, c.admin)]).toEqual([false, true, true]);
  });

  it('nothing enrolled under that name: exit 1, the enrolled hosts listed, nothing changed', async () => {
    const c = await made();
    await enroll(c, 'db1');
    await enroll(c, 'db2');
    const before = readFileSync(c.file, 'utf8');
    const r = await revoke(c, ['db9']);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe('xenherd-controller: XH_ERR_NOT_FOUND: no agent token for db9; enrolled hosts: db1, db2; nothing was changed\n');
    expect(readFileSync(c.file, 'utf8')).toBe(before);
    const none = await made();
    expect((await revoke(none, ['db9'])).stderr).toContain('no agent token for db9; no host is enrolled;');
  });

  it.each(['xen 1', 'xen1!', 'xen_1', ''])('refuses the host name %j, saying what a host name is', async (host) => {
    const c = await made();
    const r = await revoke(c, [host]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`XH_ERR_USAGE: ${JSON.stringify(host)} is not a host name (letters, digits, . and -, starting with a letter or digit): give the name the host was enrolled as`);
  });

  it('takes a host stored under the older, looser rule (xen1.), which enroll would now refuse', async () => {
    const c = await made();
    const store = c.store();
    const old = newToken();
    store.agents[old.id] = { host: 'xen1.', sha256: old.sha256, createdAt: '2025-01-01T00:00:00.000Z' };
    writeTokenStore(c.file, store);
    expect((await revoke(c, ['xen1.'])).code).toBe(0);
    expect(c.store().agents).toEqual({});
  });

  it('waits for the lock of tokens.json: a token written meanwhile (an enroll) is kept', async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    const lock = await takeLock(`${c.file}.lock`, 'tokens.json');
    if (!lock.ok) throw new Error(lock.error.message);
    const tries = lockTriesSince(`${c.file}.lock`);
    const pending = revoke(c, ['xen1']);
    // a look at a guessed moment would pass a revoke merely slower than this test, the lock ignored;
    // a second try shows it found the lock held and waits on it
    await until(() => tries() >= 2, 'revoke to try the lock of tokens.json twice');
    // still held: revoke has not written
    expect(works(c.store(), xen1)).toBe(true);
    const store = c.store();
    const xen3 = newToken();
    store.agents[xen3.id] = { host: 'xen3', sha256: xen3.sha256, createdAt: '2026-01-01T00:00:00.000Z' };
    writeTokenStore(c.file, store);
    lock.value.release();
    expect((await pending).code).toBe(0);
    expect(Object.values(c.store().agents).map((a) => a.host)).toEqual(['xen3']);
  });
});

describe('xenherd-controller revoke --operator / --id', () => {
  it("--operator NAME removes the operator's token; its requests are refused from now on", async () => {
    const c = await made();
    const alice = await operator(c, 'alice', 'read');
    const r = await revoke(c, ['--operator', 'ALICE']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^revoked operator token ${idOf(alice)} of alice \\(role read, made 20[^)]*\\)\\n$`));
    expect(r.stderr).toBe("xenherd-controller: a running `xenherd-controller serve` reading this tokens.json applies it at once: the operator's requests are refused from now on, and a job or command they follow stops streaming to them at its next line; the jobs they started go on (not cancelled): `xenherdctl jobs` lists them (BY alice), and `xenherdctl cancel JOB` with another operate token stops one\n");
    expect(works(c.store(), alice)).toBe(false);
    expect((await revoke(c, ['--operator', 'alice'])).stderr).toContain('XH_ERR_NOT_FOUND: no operator token for alice; operators: admin; nothing was changed');
  });

  it('refuses to revoke the last operate token without --force, naming the fix; --force does it', async () => {
    const c = await made();
    const r = await revoke(c, ['--operator', 'admin']);
    expect([r.code, r.stdout]).toEqual([77, '']);
    expect(r.stderr).toBe('xenherd-controller: XH_ERR_REFUSED: that is the last operator token with the role operate: without it nobody could drain, migrate or restore through xenherdctl; make another first (xenherd-controller operator NAME --role operate), or pass --force (xenherd-controller operator can still make one afterwards); nothing was changed\n');
    expect(works(c.store(), c.admin)).toBe(true);
    // by id too
    expect((await revoke(c, ['--id', idOf(c.admin)])).code).toBe(77);
    // with another operate token it is not the last
    const bob = await operator(c, 'bob', 'operate');
    expect((await revoke(c, ['--operator', 'admin'])).code).toBe(0);
    expect((await revoke(c, ['--operator', 'bob', '--force'])).code).toBe(0);
    expect([works(c.store(), c.admin), works(c.store(), bob)]).toEqual([false, false]);
  });

  it('--id takes the id or the whole token, and never prints the secret', async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    const xen2 = await enroll(c, 'xen2');
    const byId = await revoke(c, ['--id', idOf(xen1)]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(new RegExp(`^revoked agent token ${idOf(xen1)} of xen1 `));
    const whole = await revoke(c, ['--id', xen2, '--json']);
    expect(whole.code).toBe(0);
    expect(JSON.parse(whole.stdout)).toEqual({ revoked: [{ id: idOf(xen2), kind: 'agent', host: 'xen2', createdAt: expect.any(String) }], applied: 'at-once' });
    const secret = xen2.split('.')[2] as string;
    expect(whole.stdout + whole.stderr).not.toContain(secret);
    const again = await revoke(c, ['--id', xen2]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`xenherd-controller: XH_ERR_NOT_FOUND: no token with id ${idOf(xen2)}; \`xenherd-controller tokens\` lists every token with its id; nothing was changed\n`);
    expect(again.stderr).not.toContain(secret);
  });

  it('a whole token whose secret does not match is refused (it works nowhere): the holder of the id keeps it', async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    const forged = `xh1.${idOf(xen1)}.${'A'.repeat(43)}`;
    const r = await revoke(c, ['--id', forged]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`XH_ERR_NOT_FOUND: the token given is not the one stored under id ${idOf(xen1)} (its secret does not match: mistyped, or cut short), so it works nowhere; to revoke the token with id ${idOf(xen1)} regardless: --id ${idOf(xen1)}`);
    expect(r.stderr).not.toContain('A'.repeat(43));
    expect(works(c.store(), xen1)).toBe(true);
  });

  it.each([
    [['--id', 'xh1.nothex.secret-words'], '--id takes a token id (12 hex digits, as xenherd-controller tokens lists them) or a whole token xh1.ID.SECRET'],
    [['--operator', 'a b'], '--operator "a b": NAME is letters, digits, . _ @ - (at most 64)'],
    [[], 'give exactly one of HOST, --operator NAME or --id TOKENID'],
    [['xen1', '--operator', 'alice'], 'give exactly one of HOST, --operator NAME or --id TOKENID'],
    [['--operator'], '--operator needs a value'],
  ])('%j is a usage error saying what is wrong', async (argv, message) => {
    const c = await made();
    const r = await capture(revokeCommand(c.credential).run, [...argv]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('secret-words');
  });
});

describe('xenherd-controller revoke: a word of the wrong kind', () => {
  it('a token pasted as HOST or --operator is refused without echoing it, saying to give it as --id', async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    const secret = xen1.split('.')[2] as string;
    for (const argv of [[xen1], ['--operator', xen1]]) {
      const r = await revoke(c, argv);
      expect(r.code).toBe(64);
      expect(r.stderr).toContain('is a token (xh1.ID.SECRET), not a name: to revoke that token, give it as --id TOKEN');
      expect(r.stderr).not.toContain(secret);
    }
    expect(works(c.store(), xen1)).toBe(true);
  });

  it('a name that is a token id, an operator or a host of the other kind: the not-found error says what to type', async () => {
    const c = await made();
    const xen1 = await enroll(c, 'xen1');
    await operator(c, 'alice', 'read');
    expect((await revoke(c, [idOf(xen1)])).stderr).toContain(`; ${idOf(xen1)} is a token id: xenherd-controller revoke --id ${idOf(xen1)}; nothing was changed`);
    expect((await revoke(c, ['alice'])).stderr).toContain('; alice is an operator: xenherd-controller revoke --operator alice; nothing was changed');
    expect((await revoke(c, ['--operator', 'XEN1'])).stderr).toContain('; XEN1 is an enrolled host: xenherd-controller revoke XEN1; nothing was changed');
  });
});

describe('xenherd-controller revoke with the packaged service running', () => {
  it('says to restart xenherd-controller.service when its credential copy of tokens.json is there', async () => {
    const c = await made();
    await enroll(c, 'xen1');
    writeFileSync(c.credential, '{}');
    const r = await revoke(c, ['xen1', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { applied: string }).applied).toBe('after-restart');
    expect(r.stderr).toBe('xenherd-controller: xenherd-controller.service is running on a copy of tokens.json made at its start, which still holds these tokens: restart xenherd-controller.service (systemctl restart xenherd-controller; agents reconnect by themselves) to apply it\n');
  });
});
