import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runTool } from '../../../agent/adapters/exec.js';
import { writeRootSshConfig } from '../../harness/root-ssh-config.js';
import { readFixture } from '../../fixture.js';
import { SSH_G_9_2_LINES } from '../render/ssh-g-template.js';
import { simPerTest } from '../sim-per-test.js';

// The simulator's `ssh -G` applies root's ~/.ssh/config as OpenSSH does; where the machine has
// OpenSSH, the same config file goes through the real `ssh -F FILE -G` and the hostname and port
// lines must agree (the rest of the dump is the real one's head).
const startSim = simPerTest();
const fleet = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\nhost xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';

const CONFIG = `Host xen2 !xen3
  HostName 10.0.0.2
Host xen*
  Port=2222
  HostName %h.example.org
Host *
  Port 22
`;

const routeLines = (out: string): string => out.split('\n').filter((l) => /^(hostname|port|proxyjump|proxycommand) /.test(l)).join('\n');

/**
 * root's config given to both: the simulator's (under the host's root) and, where installed, the
 * real `ssh -F FILE -G`; FILES (paths under a temp dir, written as @DIR@ in the texts) are put at
 * that same absolute path on both sides, so an Include names one path for both
 */
async function bothSides(
  sim: Awaited<ReturnType<typeof startSim>>,
  config: string,
  names: readonly string[],
  files: Readonly<Record<string, string>> = {},
  pick: (out: string) => string = routeLines,
): Promise<{ fake: string[]; real: string[] | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'xh-ssh-g-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const at = (text: string): string => text.replaceAll('@DIR@', dir);
  const put = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, at(text));
  };
  writeRootSshConfig(sim.hostRoot('xen1'), {});
  put(join(sim.hostRoot('xen1'), 'root/.ssh/config'), config);
  put(join(dir, 'config'), config);
  for (const [rel, text] of Object.entries(files)) {
    put(join(sim.hostRoot('xen1'), dir, rel), text);
    put(join(dir, rel), text);
  }
  const fake = await Promise.all(names.map(async (n) => pick((await sim.run('xen1', 'ssh', ['-G', '--', n])).stdout)));
  const probe = await runTool('ssh', ['-V'], { timeoutMs: 10_000 });
  if (!probe.ok && probe.error.code === 'XH_ERR_TOOL_NOT_FOUND') return { fake, real: null };
  const sys = await Promise.all(names.map(async (n) => runTool('ssh', ['-F', join(dir, 'config'), '-G', '--', n], { timeoutMs: 10_000 })));
  return { fake, real: sys.map((r) => (r.ok ? pick(r.value.stdout) : r.error.message)) };
}

describe('ssh -G on a simulated Dom0', () => {
  it('first value wins, patterns with * and ! matched as given, %h expanded, the hostname lower-cased: as OpenSSH 9.2 prints them', async () => {
    const sim = await startSim({ fleet });
    const { fake, real } = await bothSides(sim, CONFIG, ['xen2', 'XEN3', 'xen4', 'other']);
    expect(fake).toEqual(['hostname 10.0.0.2\nport 2222', 'hostname xen3\nport 22', 'hostname xen4.example.org\nport 2222', 'hostname other\nport 22']);
    if (real !== null) expect(real).toEqual(fake);
    const captured = readFixture('ssh/G-9.2p1-host-entry.txt').body.split('\n');
    expect((await sim.run('xen1', 'ssh', ['-G', 'xen2'])).stdout.split('\n').slice(0, 4)).toEqual(['host xen2', 'user root', 'hostname 10.0.0.2', 'port 2222']);
    expect(captured.slice(0, 4)).toEqual(['host xen2', 'user root', 'hostname 10.0.0.2', 'port 2222']);
  });

  it('ProxyJump and ProxyCommand: the first one set wins (a ProxyJump none aside), printed only when set, as OpenSSH 9.2 prints them', async () => {
    const sim = await startSim({ fleet });
    const config = `Host xen2
  ProxyJump admin@jump1:2200
  ProxyCommand nc %h %p
Host xen3
  HostName 10.0.0.3
  ProxyCommand ssh -W %h:%p bastion
Host xen4
  ProxyJump none
  ProxyCommand nc %h %p
Host xen5
  ProxyCommand none
  ProxyJump j1
Host xen6
  ProxyJump none
  ProxyJump j2
`;
    const { fake, real } = await bothSides(sim, config, ['xen2', 'xen3', 'xen4', 'xen5', 'xen6']);
    expect(fake).toEqual(['hostname xen2\nport 22\nproxyjump admin@jump1:2200', 'hostname 10.0.0.3\nport 22\nproxycommand ssh -W %h:%p bastion', 'hostname xen4\nport 22\nproxycommand nc %h %p', 'hostname xen5\nport 22', 'hostname xen6\nport 22']);
    if (real !== null) expect(real).toEqual(fake);
  });

  it('anything but -G fails, so a test never takes it for a connection', async () => {
    const sim = await startSim({ fleet });
    expect(await sim.run('xen1', 'ssh', ['xen2', 'true'])).toMatchObject({ exitCode: 255 });
    expect(await sim.run('xen1', 'ssh', ['-G'])).toMatchObject({ exitCode: 255 });
    // -v, as the route read asks: the same dump, and no canonicalization to tell of (refused when configured)
    expect(await sim.run('xen1', 'ssh', ['-v', '-G', '--', 'xen2'])).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('\nhostname xen2\nport 22\n'), stderr: '' });
  });

  it('Include: globs in name order (no dot files), the including Host state kept across each file, a file under a Host that does not match read for none, no match skipped: as OpenSSH 9.2 prints them', async () => {
    const sim = await startSim({ fleet });
    const config = `Include @DIR@/conf.d/*.conf
Host xen2
  Port 2200
Host xen3
  Include @DIR@/xen3.conf
Host xen9
  Include @DIR@/xen9.conf
Host *
  Include @DIR@/missing/*.conf @DIR@/none.conf
`;
    const files = {
      'conf.d/10-a.conf': 'Host xen2\n  HostName 10.0.0.2\nHost xen4\n  Port 2244\n',
      // read from its start with the Host state the Include stood in (every host), not 10-a's last
      'conf.d/20-b.conf': 'HostName %h.example.org\n',
      'conf.d/.hidden.conf': 'Port 9999\n',
      'conf.d/30-c.txt': 'Port 9998\n',
      'xen3.conf': 'Port 2233\nHost *\n  ProxyJump jump3\n',
      'xen9.conf': 'Port 2299\n',
    };
    const { fake, real } = await bothSides(sim, config, ['xen2', 'xen3', 'xen4', 'other'], files);
    expect(fake).toEqual(['hostname 10.0.0.2\nport 2200', 'hostname xen3.example.org\nport 2233\nproxyjump jump3', 'hostname xen4.example.org\nport 2244', 'hostname other.example.org\nport 22']);
    if (real !== null) expect(real).toEqual(fake);
  });

  it("Include's relative paths: under ~/.ssh from root's file, under /etc/ssh from the system's (Debian's own ssh_config.d line)", async () => {
    const sim = await startSim({ fleet });
    const root = sim.hostRoot('xen1');
    writeRootSshConfig(root, {});
    const put = (path: string, text: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    put('root/.ssh/config', 'Include conf.d/*\nHost xen2\n  Port 2200\n');
    put('root/.ssh/conf.d/migration', 'Host xen2\n  HostName xen2-mig\n');
    put('etc/ssh/ssh_config', 'Include /etc/ssh/ssh_config.d/*.conf\nHost *\n  Port 22\n');
    put('etc/ssh/ssh_config.d/site.conf', 'Host xen3\n  HostName 10.0.0.3\n  Port 2233\n');
    const route = async (n: string): Promise<string> => routeLines((await sim.run('xen1', 'ssh', ['-G', n])).stdout);
    expect([await route('xen2'), await route('xen3')]).toEqual(['hostname xen2-mig\nport 2200', 'hostname 10.0.0.3\nport 2233']);
  });

  it('refuses what it cannot model, naming the file and line: Match other than `all`, CanonicalizeHostname', async () => {
    const sim = await startSim({ fleet });
    const root = sim.hostRoot('xen1');
    writeRootSshConfig(root, {});
    const config = (text: string): void => writeFileSync(join(root, 'root/.ssh/config'), text);
    config('Match all\n  Port 2200\n');
    expect(routeLines((await sim.run('xen1', 'ssh', ['-G', 'xen2'])).stdout)).toBe('hostname xen2\nport 2200');
    config('Host xen2\n  Port 2200\nMatch host xen2 exec "true"\n  HostName elsewhere\n');
    expect(await sim.run('xen1', 'ssh', ['-G', 'xen2'])).toMatchObject({ exitCode: 255, stdout: '', stderr: "ssh (simulator): cannot model /root/.ssh/config line 3: `Match host xen2 exec \"true\"` (only `Match all` is modelled); write root's ssh_config as Host entries\n" });
    config('CanonicalizeHostname yes\nCanonicalDomains example.org\n');
    expect(await sim.run('xen1', 'ssh', ['-G', 'xen2'])).toMatchObject({ exitCode: 255, stderr: expect.stringContaining('cannot model CanonicalizeHostname yes (the name ssh prints then depends on DNS answers for NAME.DOMAIN.)') });
    config('CanonicalizeHostname no\nHost xen2\n  CanonicalizeHostname yes\n  Port 2200\n');
    expect(routeLines((await sim.run('xen1', 'ssh', ['-G', 'xen2'])).stdout)).toBe('hostname xen2\nport 2200');
  });

  it("the host-key options as OpenSSH 9.2 prints them, in its order: the whole dump root's real `ssh -G` prints", async () => {
    const sim = await startSim({ fleet });
    const config = `Host xen2
  HostKeyAlias xen2-mig
  StrictHostKeyChecking yes
  CheckHostIP yes
  VerifyHostKeyDNS ask
  RevokedHostKeys ~/.ssh/revoked_%h
  KnownHostsCommand /usr/local/bin/known-hosts %H
  UserKnownHostsFile "~/my hosts" /var/lib/kh_%k_%h_%p_%u_%r_%n
  GlobalKnownHostsFile /etc/ssh/a\\ b /etc/ssh/c
  Port 2222
Host xen3
  HostName 10.0.0.3
  StrictHostKeyChecking off
  ProxyJump jump3
Host xen4
  StrictHostKeyChecking accept-new
  VerifyHostKeyDNS yes
  CheckHostIP no
  CheckHostIP yes
`;
    // (the first CheckHostIP given wins, as every keyword's)
    const whole = (out: string): string => out;
    const { fake, real } = await bothSides(sim, config, ['xen2', 'xen3', 'xen4', 'other'], {}, whole);
    const lines = (out: string): string[] => out.split('\n').filter((l) => /^(checkhostip|stricthostkeychecking|verifyhostkeydns|updatehostkeys|hostkeyalias|revokedhostkeys|knownhostscommand|globalknownhostsfile|userknownhostsfile) /.test(l));
    expect(fake.map(lines)).toEqual([
      ['checkhostip yes', 'stricthostkeychecking true', 'verifyhostkeydns ask', 'updatehostkeys false', 'hostkeyalias xen2-mig', 'revokedhostkeys ~/.ssh/revoked_%h', 'knownhostscommand /usr/local/bin/known-hosts %H', 'globalknownhostsfile /etc/ssh/a b /etc/ssh/c', 'userknownhostsfile /root/my hosts /var/lib/kh_xen2-mig_xen2_2222_root_root_xen2'],
      ['checkhostip no', 'stricthostkeychecking false', 'verifyhostkeydns false', 'updatehostkeys true', 'globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2', 'userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2'],
      ['checkhostip no', 'stricthostkeychecking accept-new', 'verifyhostkeydns true', 'updatehostkeys false', 'globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2', 'userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2'],
      ['checkhostip no', 'stricthostkeychecking ask', 'verifyhostkeydns false', 'updatehostkeys true', 'globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2', 'userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2'],
    ]);
    // root's own ssh: the user and ~ are root's only when this test runs as root
    if (real !== null && process.getuid?.() === 0) expect(real).toEqual(fake);
  });

  it("the simulator's template is the captured dump, byte for byte", () => {
    expect(`${SSH_G_9_2_LINES.join('\n')}\n`).toBe(readFixture('ssh/G-9.2p1-host-key-options.txt').body);
  });

  it('%C, %l and %L in UserKnownHostsFile: this Dom0\'s name and the connection hash, as OpenSSH 9.2 prints them; a token it does not know stops it', async () => {
    const sim = await startSim({ fleet });
    writeRootSshConfig(sim.hostRoot('xen1'), {});
    const config = (text: string): void => writeFileSync(join(sim.hostRoot('xen1'), 'root/.ssh/config'), text);
    const path = 'Host *\n  HostName Xen2.Example.ORG\n  Port 2222\n  User mig\n  UserKnownHostsFile /var/lib/kh_%C_%l_%L_%%_%h\n';
    config(path);
    const userLine = (out: string): string | undefined => out.split('\n').find((l) => l.startsWith('userknownhostsfile '));
    // the hash is SHA-1 of "xen1" "xen2.example.org" "2222" "mig" run together: `printf xen1xen2.example.org2222mig | sha1sum`
    expect(userLine((await sim.run('xen1', 'ssh', ['-G', 'xen2'])).stdout)).toBe('userknownhostsfile /var/lib/kh_4fb2dbb34d593ab41ca6430a388040c152e9295b_xen1_xen1_%_xen2.example.org');
    config('Host *\n  UserKnownHostsFile ~/.ssh/kh_%j\n');
    const stopped = { exitCode: 255, stdout: '', stderr: 'vdollar_percent_expand: unknown key %j\r\npercent_dollar_expand: failed\r\n' };
    expect(await sim.run('xen1', 'ssh', ['-G', 'xen2'])).toMatchObject(stopped);
    config('Host *\n  UserKnownHostsFile ~/.ssh/kh_%\n');
    expect(await sim.run('xen1', 'ssh', ['-G', 'xen2'])).toMatchObject({ exitCode: 255, stderr: 'vdollar_percent_expand: invalid format\r\npercent_dollar_expand: failed\r\n' });
    // the environment root's ssh runs in is not modelled: refused, not printed unexpanded as no ssh does
    config('Host *\n  UserKnownHostsFile ${HOME}/kh\n');
    expect(await sim.run('xen1', 'ssh', ['-G', 'xen2'])).toMatchObject({ exitCode: 255, stderr: "ssh (simulator): cannot model UserKnownHostsFile ${HOME}/kh (${VAR} is read from the environment ssh runs in); write root's ssh_config without it\n" });

    // the real ssh of this machine, given the same files, on this machine's own name
    const probe = await runTool('ssh', ['-V'], { timeoutMs: 10_000 });
    if (!probe.ok && probe.error.code === 'XH_ERR_TOOL_NOT_FOUND') return;
    const dir = mkdtempSync(join(tmpdir(), 'xh-ssh-g-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a'), path);
    writeFileSync(join(dir, 'b'), 'Host *\n  UserKnownHostsFile /x/kh_%j\n');
    const real = await runTool('ssh', ['-F', join(dir, 'a'), '-G', 'xen2'], { timeoutMs: 10_000 });
    const me = hostname();
    const hash = createHash('sha1').update(`${me}xen2.example.org2222mig`).digest('hex');
    expect(real.ok && userLine(real.value.stdout)).toBe(`userknownhostsfile /var/lib/kh_${hash}_${me}_${me.split('.')[0] ?? me}_%_xen2.example.org`);
    const refused = await runTool('ssh', ['-F', join(dir, 'b'), '-G', 'xen2'], { timeoutMs: 10_000 });
    // (the real one says first that stdin is no terminal, as it does for every -G without one)
    expect(!refused.ok && refused.error.exitCode).toBe(255);
    expect(refused.ok ? '' : refused.error.stderr).toMatch(/(^|\n)vdollar_percent_expand: unknown key %j\r\npercent_dollar_expand: failed\r\n$/);
  });
});
