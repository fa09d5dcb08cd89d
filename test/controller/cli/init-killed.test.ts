import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../../../controller/cli/init.js';
import { capture, testHooks } from '../api/controller-bed.js';
import { shippedBed } from '../shipped-bed.js';

// `xenherd-controller init` killed between two of its writes (SIGKILL, a power cut) leaves part of
// what it writes. The shipped bundle runs with a preload that kills it with SIGKILL at the rename
// that ends one chosen write (before or after it): a point chosen exactly, not by timing.
const shipped = shippedBed('xenherd-controller');

const HOOK = `const fs = require('node:fs');
const at = process.env.XH_TEST_KILL_AT, after = process.env.XH_TEST_KILL_AFTER === '1';
const rename = fs.renameSync;
fs.renameSync = function (from, to) {
  const hit = String(to).endsWith(at) && String(from).includes('.tmp-');
  if (hit && !after) process.kill(process.pid, 'SIGKILL');
  const r = rename.apply(this, arguments);
  if (hit && after) process.kill(process.pid, 'SIGKILL');
  return r;
};
`;

/** init of DIR by the shipped bundle, killed at the rename that ends the write of AT */
function killedInit(dir: string, at: string, after: boolean): void {
  const hook = join(shipped.temp('xenherd-init-hook-'), 'kill-at-rename.cjs');
  writeFileSync(hook, HOOK);
  const r = spawnSync(process.execPath, ['--require', hook, shipped.bin('xenherd-controller'), 'init', '--dir', dir, '--port', '7443', '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, XH_TEST_KILL_AT: at, XH_TEST_KILL_AFTER: after ? '1' : '0' },
  });
  expect([r.signal, r.stdout]).toEqual(['SIGKILL', '']);
}

const init = (dir: string) => capture(initCommand(testHooks()).run, ['--dir', dir, '--port', '7443', '--json']);

/** what init left in DIR holds together: the printed token is in tokens.json, the CA key is ca.crt's, which signed server.crt */
function holdsTogether(dir: string, printed: string): void {
  const [, id = '', secret = ''] = (JSON.parse(printed) as { token: string }).token.split('.');
  const store = JSON.parse(readFileSync(join(dir, 'state', 'tokens.json'), 'utf8')) as { operators: Record<string, { sha256: string }> };
  expect(store.operators[id]?.sha256).toBe(createHash('sha256').update(secret).digest('hex'));
  const ca = new X509Certificate(readFileSync(join(dir, 'tls', 'ca.crt')));
  const caKey = createPublicKey(createPrivateKey(readFileSync(join(dir, 'tls', 'ca.key')))).export({ type: 'spki', format: 'der' });
  expect(caKey.equals(ca.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  expect(new X509Certificate(readFileSync(join(dir, 'tls', 'server.crt'))).verify(ca.publicKey)).toBe(true);
}

/** every file under DIR, relative, sorted */
const tree = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

describe('xenherd-controller init killed half-way', () => {
  for (const [at, after, left] of [
    ['tls/ca.crt', true, ['tls/ca.key', 'tls/ca.crt']],
    ['tls/server.key', false, ['tls/ca.key', 'tls/ca.crt', 'tls/server.key.tmp-PID']],
    ['state/tokens.json', false, ['tls/ca.key', 'tls/ca.crt', 'tls/server.key', 'tls/server.crt', 'controller.json', 'state/tokens.json.tmp-PID']],
  ] as const) {
    it(`killed ${after ? 'after' : 'before'} ${at} is in place: the next init writes nothing and names exactly what to remove; removed, init runs whole`, async () => {
      const dir = join(shipped.temp('xenherd-init-killed-'), 'xenherd');
      killedInit(dir, at, after);
      // the killed init's lock is left too; the next init takes it over as its holder is gone, and removes it
      const before = tree(dir).filter((f) => f !== 'init.lock');
      const next = await init(dir);
      expect(next.code).toBe(77);
      const message = (JSON.parse(next.stdout) as { error: { code: string; message: string } }).error;
      const named = message.message.replace(/\.tmp-[0-9]+/g, '.tmp-PID');
      const paths = left.map((f) => join(dir, f));
      expect([message.code, named]).toEqual([
        'XH_ERR_REFUSED',
        `an earlier xenherd-controller init of ${dir} stopped before it finished (killed, or its machine went down) and left ${paths.join(', ')}: nothing was written by this one. It printed no token for them and nothing uses them: remove them and run init again: rm -f -- ${[...paths, join(dir, 'init.unfinished')].join(' ')}`,
      ]);
      // never a new certificate beside the half CA: nothing changed
      expect(tree(dir)).toEqual(before);
      // the command as given, run by a shell
      const rm = /: (rm -f -- .*)$/.exec(message.message)?.[1] ?? 'false';
      expect(spawnSync('sh', ['-c', rm]).status).toBe(0);
      const again = await init(dir);
      expect(again.code).toBe(0);
      holdsTogether(dir, again.stdout);
      expect(tree(dir)).toEqual(['controller.json', 'state', 'state/tokens.json', 'tls', 'tls/ca.crt', 'tls/ca.key', 'tls/server.crt', 'tls/server.key']);
    });
  }

  it('a write that fails half-way (tokens.json, its state dir taken by a file) takes back what it wrote, and init runs once that is fixed', async () => {
    const dir = join(shipped.temp('xenherd-init-failed-'), 'xenherd');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'state'), 'in the way');
    const r = await init(dir);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('what this init had written is removed again');
    expect(tree(dir)).toEqual(['state', 'tls']);
    rmSync(join(dir, 'state'));
    const again = await init(dir);
    expect(again.code).toBe(0);
    holdsTogether(dir, again.stdout);
  });
});
