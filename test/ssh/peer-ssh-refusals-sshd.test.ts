import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execOnPeer, type PeerTarget } from '../../agent/adapters/peer-ssh.js';
import { keyFingerprint } from '../../agent/adapters/peer-ssh-refusals.js';
import { keygen, sshdInstalled, startSshd, type Sshd } from './sshd.js';
import { runAsync } from '../agent/run/agent-process.js';

// The two refusals an operator meets after a peer is reinstalled or its authorized_keys is
// rewritten, from a real OpenSSH sshd: each must name what to fix, not ssh2's bare words.
let dir = '';
let sshd: Sshd;
let clientPub = '';

beforeAll(async () => {
  if (!sshdInstalled()) throw new Error('OpenSSH is needed: apt-get install -y openssh-server openssh-client (.ci/run installs it)');
  dir = mkdtempSync(join(tmpdir(), 'xenherd-peer-refusals-'));
  clientPub = await keygen(join(dir, 'migrate_key'), 'xenherd-migrate');
  sshd = await startSshd(join(dir, 'sshd'), `command="echo pong" ${clientPub}\n`);
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const target = (keyFile = join(dir, 'migrate_key')): PeerTarget => ({ name: 'xen2', address: '127.0.0.1', port: sshd.port, user: userInfo().username, keyFile, knownHostsFile: join(dir, 'known_hosts'), commandTimeoutMs: 20_000 });
const blobOf = (pub: string): Buffer => Buffer.from(pub.split(' ')[1] as string, 'base64');

describe('execOnPeer against a real sshd', () => {
  it('runs the command with the listed host key and an authorized key', async () => {
    writeFileSync(join(dir, 'known_hosts'), `127.0.0.1 ${sshd.hostKeyPub}\n`);
    const r = await execOnPeer(target(), 'ping', () => undefined);
    expect(r.ok && r.value).toMatchObject({ exitCode: 0, stdout: 'pong\n' });
  });

  it('a host key other than the one listed (the peer reinstalled): names the key it shows, the file, and how to replace the line', async () => {
    const old = await keygen(join(dir, 'old_host_key'), 'old-host');
    writeFileSync(join(dir, 'known_hosts'), `127.0.0.1 ${old}\n`);
    const r = await execOnPeer(target(), 'ping', () => undefined);
    const known = join(dir, 'known_hosts');
    expect(!r.ok && r.error).toEqual({
      code: 'XH_ERR_PEER_UNREACHABLE',
      message: expect.stringContaining(`the agent's own connection to xen2 refused it: xen2 (127.0.0.1:${sshd.port}) shows host key ${keyFingerprint(blobOf(sshd.hostKeyPub))}, which the agent's known_hosts ${known} (not root's) does not list for it`),
    });
    expect(!r.ok && r.error.message).toContain(
      `remove the old line (\`ssh-keygen -R '[xen2]:${sshd.port}' -f ${known}\` or \`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${known}\`, as it is listed), then \`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ${known}\``,
    );
  });

  it("a migration key the peer's authorized_keys does not hold: names the key file and keys setup", async () => {
    writeFileSync(join(dir, 'known_hosts'), `127.0.0.1 ${sshd.hostKeyPub}\n`);
    await keygen(join(dir, 'other_key'), 'not-authorized');
    const r = await execOnPeer(target(join(dir, 'other_key')), 'ping', () => undefined);
    expect(!r.ok && r.error).toEqual({
      code: 'XH_ERR_PEER_UNREACHABLE',
      message: expect.stringMatching(new RegExp(`^xen2 \\(\\S+@127\\.0\\.0\\.1:${sshd.port}\\) refused the migration key ${join(dir, 'other_key')}: its \\S+/\\.ssh/authorized_keys lacks the line \`xenherd-agent keys setup xen2\` prints here`)),
    });
  });

  it('the fingerprint is the one ssh-keygen -lf shows', async () => {
    const r = await runAsync('ssh-keygen', ['-lf', join(dir, 'sshd', 'host_key.pub')], {});
    expect(r.stdout).toContain(keyFingerprint(blobOf(sshd.hostKeyPub)).split(' ')[1]);
    expect(keyFingerprint(blobOf(sshd.hostKeyPub))).toMatch(/^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

/** OpenSSH's own client, given only KNOWN as known_hosts and the migration key: what it makes of the same file */
const openssh = async (known: string): Promise<'taken' | 'refused'> => {
  const args = ['-F', '/dev/null', '-i', join(dir, 'migrate_key'), '-p', String(sshd.port), '-o', `UserKnownHostsFile=${known}`, '-o', 'GlobalKnownHostsFile=/dev/null'];
  const r = await runAsync('ssh', [...args, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-T', '--', `${userInfo().username}@127.0.0.1`, 'ping'], {});
  if (r.stdout === 'pong\n') return 'taken';
  expect(r.stderr).toContain('Host key verification failed');
  return 'refused';
};

// The sshd's port is never 22 here. ssh takes the keys listed under [host]:port and, only while no
// line lists one there, those listed bare (port 22's: one sshd on two ports shows one key).
describe('the key of an sshd at another port than 22, as OpenSSH takes it', () => {
  const known = (): string => join(dir, 'known_hosts');
  const agent = async (): Promise<'taken' | 'refused'> => ((await execOnPeer(target(), 'ping', () => undefined)).ok ? 'taken' : 'refused');

  it('listed bare only: taken, by ssh and the agent', async () => {
    writeFileSync(known(), `127.0.0.1 ${sshd.hostKeyPub}\n`);
    expect([await openssh(known()), await agent()]).toEqual(['taken', 'taken']);
  });

  it('listed bare while [host]:port lists another key: refused by both, naming the lines', async () => {
    const other = await keygen(join(dir, 'port_host_key'), 'other-sshd');
    writeFileSync(known(), `[127.0.0.1]:${sshd.port} ${other}\n127.0.0.1 ${sshd.hostKeyPub}\n`);
    expect(await openssh(known())).toBe('refused');
    const r = await execOnPeer(target(), 'ping', () => undefined);
    expect(!r.ok && r.error.code).toBe('XH_ERR_PEER_UNREACHABLE');
    expect(!r.ok && r.error.message).toContain(
      `which the agent's known_hosts ${known()} (not root's) does not list for it at port ${sshd.port}: it is listed bare (line 2), as port 22's key, which counts at another port only while no line lists a key for that port, ` +
        `and another is listed as [127.0.0.1]:${sshd.port} or [xen2]:${sshd.port} (line 1); OpenSSH's ssh given this file refuses it too (REMOTE HOST IDENTIFICATION HAS CHANGED)`,
    );
  });

  it('listed under [host]:port, whatever the bare lines say: taken by both', async () => {
    const old = await keygen(join(dir, 'bare_host_key'), 'port-22-sshd');
    writeFileSync(known(), `127.0.0.1 ${old}\n[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub}\n`);
    expect([await openssh(known()), await agent()]).toEqual(['taken', 'taken']);
  });
});
