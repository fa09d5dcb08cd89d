import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runTool, type ToolRunner } from '../../../agent/adapters/exec.js';
import { sshRouteOf } from '../../../agent/adapters/ssh-route.js';
import { judgeRootSshTrust } from '../../../agent/decide/root-ssh-trust.js';
import { readKnownHostsFile, readRootTrust } from '../../../agent/migrate/root-trust-read.js';

// The real `ssh -G` of this machine's OpenSSH tells which files root's ssh would read and how it
// checks a key; the preflight reads those files and judges. The config is given as root's (-F:
// ssh reads neither ~/.ssh/config nor /etc/ssh/ssh_config then) and names every known_hosts file
// in a temp dir, so nothing of the machine's own ~/.ssh or /etc/ssh is read; HOME points there too.
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIItAA7O3Z2VJBGSE47Eiv4KgLcLy1N5jJgYUKx0D96cG';
const blob = Buffer.from(KEY, 'base64');

function bed(): { dir: string; run: ToolRunner } {
  const dir = mkdtempSync(join(tmpdir(), 'xh-root-trust-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'config'),
    [
      'Host xen2',
      '  HostName 127.0.0.1',
      '  Port 2222',
      '  HostKeyAlias xen2-mig',
      '  StrictHostKeyChecking yes',
      'Host xen3',
      '  HostName 127.0.0.1',
      // %h: ssh expands it to the HostName before -G prints the list
      `  UserKnownHostsFile ${dir}/user-%h ${dir}/user2`,
      // OpenSSH 9.2 expands nothing in RevokedHostKeys: -G prints it raw, and ssh opens it so
      'Host xen4',
      '  HostName 127.0.0.1',
      `  RevokedHostKeys ${dir}/revoked_%h`,
      'Host xen5',
      '  HostName 127.0.0.1',
      '  RevokedHostKeys ~/revoked',
      // GlobalKnownHostsFile: -G prints it raw; ssh expands its ~ alone, after -G, to root's home
      'Host xen6',
      '  HostName 127.0.0.1',
      '  GlobalKnownHostsFile ~/global_%h',
      // a path with a blank before a slash: -G prints it as two would be printed
      'Host xen7',
      '  HostName 127.0.0.1',
      `  UserKnownHostsFile "${dir}/kh /user"`,
      'Host *',
      `  UserKnownHostsFile ${dir}/user`,
      `  GlobalKnownHostsFile ${dir}/global`,
      '',
    ].join('\n'),
  );
  const run: ToolRunner = async (tool, args, o) => runTool(tool, ['-F', join(dir, 'config'), ...args], { ...o, env: { HOME: dir } });
  return { dir, run };
}

async function trust(run: ToolRunner, peer: string, home?: string): Promise<ReturnType<typeof judgeRootSshTrust>> {
  const route = await sshRouteOf(run, peer);
  if (!route.ok) throw new Error(route.error.message);
  const keys = route.value.hostKeys;
  if (keys === undefined) throw new Error('ssh -G printed no host-key lines');
  return judgeRootSshTrust(readRootTrust(peer, { ...route.value, hostKeys: keys }, (f) => readKnownHostsFile((p) => p, f), { keys: [blob], by: '/etc/xenherd/known_hosts' }, [], home));
}

describe("root's ssh trust of a peer's host key, read through the real ssh -G", () => {
  it('HostKeyAlias with a hashed line (ssh-keygen -H) in UserKnownHostsFile: known; without it, refused under StrictHostKeyChecking yes', async () => {
    const { dir, run } = bed();
    expect(await trust(run, 'xen2')).toMatchObject({ ok: false, code: 'XH_ERR_FILE', detail: expect.stringContaining(`looks xen2's host key up as xen2-mig (HostKeyAlias) in ${dir}/user, ${dir}/global, which list no key for it: ssh refuses`) });
    writeFileSync(join(dir, 'user'), `xen2-mig ssh-ed25519 ${KEY}\n`);
    const hashed = await runTool('ssh-keygen', ['-H', '-f', join(dir, 'user')], { timeoutMs: 10_000 });
    expect(hashed.ok).toBe(true);
    expect(readFileSync(join(dir, 'user'), 'utf8')).toMatch(/^\|1\|/);
    expect(await trust(run, 'xen2')).toEqual({ ok: true, detail: `root's ssh (xl migrate's) looks xen2's host key up as xen2-mig (HostKeyAlias) in ${dir}/user, ${dir}/global, and knows it (${dir}/user:1)` });
  });

  it('the files ssh expands (%h) and its default StrictHostKeyChecking ask; a file it cannot read is named', async () => {
    const { dir, run } = bed();
    // ssh looks the key up under the HostName it connects to, not the name asked (tried against an
    // sshd: `Host xen3 / HostName 127.0.0.1` finds no key listed as xen3)
    writeFileSync(join(dir, 'global'), `xen3 ssh-ed25519 ${KEY}\n`);
    expect(await trust(run, 'xen3')).toMatchObject({ ok: false, detail: expect.stringContaining(`looks xen3's host key up as 127.0.0.1 in ${dir}/user-127.0.0.1, ${dir}/user2, ${dir}/global, which list no key for it`) });
    writeFileSync(join(dir, 'global'), `127.0.0.1 ssh-ed25519 ${KEY}\n`);
    expect(await trust(run, 'xen3')).toMatchObject({ ok: true, detail: expect.stringContaining(`in ${dir}/user-127.0.0.1, ${dir}/user2, ${dir}/global, and knows it (${dir}/global:1)`) });
    writeFileSync(join(dir, 'global'), '');
    // a directory where ssh_config names a file: ssh skips it, and the preflight names it
    mkdirSync(join(dir, 'user2'));
    expect(await trust(run, 'xen3')).toMatchObject({ ok: false, code: 'XH_ERR_FILE', detail: expect.stringMatching(new RegExp(`; not read here: ${dir}/user2: .*StrictHostKeyChecking ask`)) });
  });

  it('RevokedHostKeys with a % token or ~ is the file as written (OpenSSH 9.2 expands neither)', async () => {
    const { dir, run } = bed();
    writeFileSync(join(dir, 'global'), `127.0.0.1 ssh-ed25519 ${KEY}\n`);
    writeFileSync(join(dir, 'revoked_%h'), `ssh-ed25519 ${KEY}\n`);
    expect(await trust(run, 'xen4')).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining(`listed in RevokedHostKeys ${dir}/revoked_%h line 1`) });
    expect(await trust(run, 'xen5')).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', detail: expect.stringContaining('RevokedHostKeys ~/revoked is not a whole path') });
  });

  it('GlobalKnownHostsFile ~/global_%h: its ~ is the home ssh runs in, its %h a %h', async () => {
    const { dir, run } = bed();
    writeFileSync(join(dir, 'global_%h'), `127.0.0.1 ssh-ed25519 ${KEY}\n`);
    // the test's stand-in for root's home: ssh itself would take /root by getpwuid
    expect(await trust(run, 'xen6', dir)).toMatchObject({ ok: true, detail: expect.stringContaining(`in ${dir}/user, ${dir}/global_%h, and knows it (${dir}/global_%h:1)`) });
  });

  it('UserKnownHostsFile "DIR/kh /user", printed as DIR/kh and /user would be: refused while the directory "DIR/kh " exists', async () => {
    const { dir, run } = bed();
    mkdirSync(join(dir, 'kh '));
    writeFileSync(join(dir, 'kh ', 'user'), `127.0.0.1 ssh-ed25519 ${KEY}\n`);
    expect(await trust(run, 'xen7')).toMatchObject({ ok: false, code: 'XH_ERR_FILE', detail: expect.stringContaining(`"${dir}/kh /user" may be one path (the blank inside it: "${dir}/kh " exists) or two`) });
  });
});
