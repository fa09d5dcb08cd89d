import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hostKeyAt } from '../../agent/adapters/ssh-host-key.js';
import { freePort, sshdInstalled, startSshd } from './sshd.js';

// The migration preflight tells a Dom0 reached over another network from another Dom0 by the host
// key its sshd shows: read from a real OpenSSH sshd, in the key exchange, with nothing authenticated.
describe('hostKeyAt, against a real sshd', () => {
  it('gives the key the sshd shows: the blob of its host_key.pub', async () => {
    expect(sshdInstalled()).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'xh-hostkey-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const sshd = await startSshd(dir, '');
    onTestFinished(() => sshd.stop());
    const shown = await hostKeyAt('127.0.0.1', sshd.port);
    const blob = sshd.hostKeyPub.trim().split(/\s+/)[1] ?? '';
    expect(shown.ok ? shown.key.toString('base64') : shown.why).toBe(blob);
    // nothing was authenticated: sshd logs the connection's end before any login, accepted or failed
    await expect.poll(() => sshd.log(), { timeout: 10_000 }).toMatch(/Connection closed by 127\.0\.0\.1 port \d+ \[preauth\]/);
    expect(sshd.log()).not.toMatch(/Accepted|Failed (publickey|password)|Postponed/);
  });

  it('a port nothing listens on: no key, and why', async () => {
    const port = await freePort();
    const shown = await hostKeyAt('127.0.0.1', port);
    expect(shown).toEqual({ ok: false, why: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1 port ${port}: .*ECONNREFUSED`)) });
  });
});
