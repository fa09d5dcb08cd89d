import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initCommand } from '../../../controller/cli/init.js';
import { takeLock } from '../../../shared/fs/file-lock.js';
import { capture, testHooks } from '../api/controller-bed.js';

// `xenherd-controller init` run twice at once on one dir (a configuration run started twice):
// without a lock both found no file and each wrote over the other's, one printing an admin token
// tokens.json did not hold.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
const newDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ctl-init-once-'));
  temps.push(d);
  return join(d, 'xenherd');
};
const init = (dir: string) => capture(initCommand(testHooks()).run, ['--dir', dir, '--port', '7443', '--json']);

/** what one init left in DIR holds together: the token it printed is in tokens.json, the CA key is the certificate's */
function holdsTogether(dir: string, printed: string): void {
  const token = (JSON.parse(printed) as { token: string }).token;
  const store = JSON.parse(readFileSync(join(dir, 'state', 'tokens.json'), 'utf8')) as { operators: Record<string, { sha256: string }> };
  const [, id = '', secret = ''] = token.split('.');
  expect(store.operators[id]?.sha256).toBe(createHash('sha256').update(secret).digest('hex'));
  const caKey = createPublicKey(createPrivateKey(readFileSync(join(dir, 'tls', 'ca.key')))).export({ type: 'spki', format: 'der' });
  const ca = new X509Certificate(readFileSync(join(dir, 'tls', 'ca.crt')));
  expect(caKey.equals(ca.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  expect(new X509Certificate(readFileSync(join(dir, 'tls', 'server.crt'))).verify(ca.publicKey)).toBe(true);
}

describe('xenherd-controller init: one at a time on a dir', () => {
  it('while another init writes DIR, a second writes nothing and says so (XH_ERR_LOCKED, exit 81); once it is done, init runs', async () => {
    const dir = newDir();
    // the other init, in the middle of its writes: the lock init takes, held by a live process
    const other = await takeLock(join(dir, 'init.lock'), 'the other init');
    if (!other.ok) throw new Error(other.error.message);
    const second = await init(dir);
    expect(second.code).toBe(81);
    expect(JSON.parse(second.stdout)).toEqual({
      error: { code: 'XH_ERR_LOCKED', message: expect.stringMatching(new RegExp(`^another xenherd-controller init is writing ${dir}: nothing was written by this one \\(.*process ${process.pid}\\b`)) },
    });
    expect(readdirSync(dir)).toEqual(['init.lock']);
    other.value.release();
    const after = await init(dir);
    expect(after.code).toBe(0);
    holdsTogether(dir, after.stdout);
    // its lock is gone with it
    expect(readdirSync(dir).sort()).toEqual(['controller.json', 'state', 'tls']);
  });

  it('two started together: one writes DIR, the other is refused for its lock, and what is written holds together', async () => {
    const dir = newDir();
    const [a, b] = await Promise.all([init(dir), init(dir)]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 81]);
    const done = a.code === 0 ? a : b;
    holdsTogether(dir, done.stdout);
  });
});
