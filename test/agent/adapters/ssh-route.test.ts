import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runTool, type ToolRunner } from '../../../agent/adapters/exec.js';
import { addressesOf, sshRouteOf } from '../../../agent/adapters/ssh-route.js';
import { err, ok } from '../../../shared/result.js';
import { readFixture } from '../../fixture.js';

/**
 * The real ssh of this machine given CONFIG as root's (-F, the arguments the adapter asks after
 * it), in a temp dir the test owns; ENV is added to the adapter's own for each run.
 */
function realSsh(config: string, env: (dir: string) => Readonly<Record<string, string>> = () => ({})): { dir: string; cfg: string; run: ToolRunner } {
  const dir = mkdtempSync(join(tmpdir(), 'xh-ssh-route-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'cfg');
  writeFileSync(cfg, config);
  const run: ToolRunner = async (tool, args, o) => runTool(tool, ['-F', cfg, ...args], { ...o, env: { ...o?.env, ...env(dir) } });
  return { dir, cfg, run };
}

describe("where root's ssh and the resolver take a name", () => {
  it('asks `ssh -v -G -- NAME` (a name never read as an option) and reads its hostname and port, and from stderr a canonicalization', async () => {
    const asked: (readonly string[])[] = [];
    let answer = { stdout: readFixture('ssh/G-9.2p1-host-entry.txt').body, stderr: '', exitCode: 0 };
    const run: ToolRunner = async (tool, args) => (asked.push([tool, ...args]), ok(answer));
    // the same dump's host-key lines: how root's ssh would check xen2's key there
    const hostKeys = { host: 'xen2', hostKeyAlias: null, strict: 'ask', userFiles: ['/root/.ssh/known_hosts', '/root/.ssh/known_hosts2'], globalFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'], knownHostsCommand: null, checkHostIp: false, verifyHostKeyDns: 'no', revokedHostKeys: null };
    expect(await sshRouteOf(run, 'xen2')).toEqual({ ok: true, value: { hostname: '10.0.0.2', port: 2222, proxy: null, hostKeys } });
    expect(asked).toEqual([['ssh', '-v', '-G', '--', 'xen2']]);
    answer = { stdout: readFixture('ssh/G-9.2p1-canonical.txt').body, stderr: readFixture('ssh/G-9.2p1-canonical-v.txt').body, exitCode: 0 };
    expect(await sshRouteOf(run, 'xen2')).toEqual({ ok: true, value: { hostname: 'xen2.example.org', port: 2222, proxy: null, canonicalizedFrom: 'xen2', hostKeys } });
  });

  it("hands the tool's failure on as it is (its code decides the refusal's)", async () => {
    const failure = { code: 'XH_ERR_TOOL_FAILED' as const, tool: 'ssh', args: ['-G', '--', 'xen2'], exitCode: 255, signal: null, stdout: '', stderr: 'unknown option -- G\n', message: 'ssh -G -- xen2: exit code 255: unknown option -- G' };
    expect(await sshRouteOf(async () => err(failure), 'xen2')).toEqual({ ok: false, error: failure });
  });

  it("a real ssh that refuses root's config: the cause is ssh's own words, not -v's debug lines before them", async () => {
    const { cfg, run } = realSsh('Host xen2\n  NoSuchOption yes\n');
    const r = await sshRouteOf(run, 'xen2');
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_TOOL_FAILED', exitCode: 255, message: `ssh -F ${cfg} -v -G -- xen2: exit code 255: ${cfg}: line 2: Bad configuration option: nosuchoption; ${cfg}: terminating, 1 bad configuration options` } });
  });

  it('a ${VAR} ssh expands before -G prints: set, the file it names; unset, the options holding it named, as ssh names only the variable', async () => {
    // ControlPath is expanded before UserKnownHostsFile: ssh stops at it first, and at the other once it has a value
    const { dir, cfg, run } = realSsh(
      'Host xen2\n  ControlPath /tmp/${XENHERD_TEST_UNSET_CP}\n  UserKnownHostsFile ${XENHERD_TEST_UNSET_KH}/known_hosts /root/.ssh/known_hosts\nHost *\n  UserKnownHostsFile ${XENHERD_TEST_KH_DIR}/known_hosts\n',
      (d) => ({ XENHERD_TEST_KH_DIR: d }),
    );
    const set = await sshRouteOf(run, 'xen3');
    expect(set.ok && set.value.hostKeys?.userFiles).toEqual([`${dir}/known_hosts`]);
    const unset = await sshRouteOf(run, 'xen2');
    expect(unset).toMatchObject({
      ok: false,
      error: {
        code: 'XH_ERR_TOOL_FAILED',
        message:
          `ssh -F ${cfg} -v -G -- xen2: exit code 255: root's ssh_config gives xen2 ControlPath /tmp/\${XENHERD_TEST_UNSET_CP} and UserKnownHostsFile \${XENHERD_TEST_UNSET_KH}/known_hosts /root/.ssh/known_hosts, ` +
          "and XENHERD_TEST_UNSET_CP and XENHERD_TEST_UNSET_KH are not set in the environment `xl migrate`'s ssh gets from this process: ssh stops there (\"invalid environment variable expansion\") and the migration would fail; " +
          "fix: write those options without ${XENHERD_TEST_UNSET_CP} and ${XENHERD_TEST_UNSET_KH} in root's ssh_config (`~/` and `%d` name root's home without the environment), or set XENHERD_TEST_UNSET_CP and XENHERD_TEST_UNSET_KH for the agent (systemd: Environment= in a drop-in for xenherd-agent.service)",
      },
    });
  });

  it('IdentityFile and CertificateFile: the real ssh -G prints their ${VAR}s as written, set or not, and the route carries them', async () => {
    // ssh expands these two only once connected (the preflight's verdict: decide/toolstack-route.ts)
    const config = 'Host xen2\n  IdentityFile ${XENHERD_TEST_ID_DIR}/id_xen2\n  CertificateFile ${XENHERD_TEST_UNSET_CERT}/id_xen2-cert.pub\n';
    const { run } = realSsh(config, () => ({ XENHERD_TEST_ID_DIR: '/root/keys' }));
    const r = await sshRouteOf(run, 'xen2');
    expect(r.ok && r.value.expandedOnceConnected).toEqual([
      { option: 'IdentityFile', variable: 'XENHERD_TEST_ID_DIR', value: '${XENHERD_TEST_ID_DIR}/id_xen2' },
      { option: 'CertificateFile', variable: 'XENHERD_TEST_UNSET_CERT', value: '${XENHERD_TEST_UNSET_CERT}/id_xen2-cert.pub' },
    ]);
  });

  it('${HOME} unset, as systemd leaves it for a unit without User=: said so', async () => {
    const dump = readFixture('ssh/G-9.2p1-host-entry.txt').body;
    const run: ToolRunner = async (_tool, _args, o) => {
      const home = o?.env?.['HOME'];
      if (home === undefined) return err({ code: 'XH_ERR_TOOL_FAILED', tool: 'ssh', args: ['-v', '-G', '--', 'xen2'], exitCode: 255, signal: null, stdout: '', stderr: 'vdollar_percent_expand: env var ${HOME} has no value\ninvalid environment variable expansion\n', message: '' });
      return ok({ stdout: dump.replace(/^userknownhostsfile .*$/m, `userknownhostsfile ${home}/.ssh/known_hosts`), stderr: '', exitCode: 0 });
    };
    const r = await sshRouteOf(run, 'xen2');
    expect(r.ok ? '' : r.error.message).toContain("root's ssh_config gives xen2 UserKnownHostsFile ${HOME}/.ssh/known_hosts, and HOME is not set in the environment `xl migrate`'s ssh gets from this process (systemd sets HOME for a service only when its unit sets User=): ");
  });

  it('ConnectTimeout as the real ssh -G prints it (1m: 60), how long the CheckHostIP probe gives each address', async () => {
    const { run } = realSsh('Host xen2\n  ConnectTimeout 1m\n');
    const r = await sshRouteOf(run, 'xen2');
    expect(r.ok && r.value.connectTimeoutSeconds).toBe(60);
    const other = await sshRouteOf(run, 'xen3');
    expect(other.ok && 'connectTimeoutSeconds' in other.value).toBe(false);
  });

  it('an address resolves to itself; localhost to a loopback address', async () => {
    expect(await addressesOf('127.0.0.1')).toEqual({ ok: true, addresses: ['127.0.0.1'] });
    expect(await addressesOf('::1')).toEqual({ ok: true, addresses: ['::1'] });
    const local = await addressesOf('localhost');
    expect(local.ok && local.addresses.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });
});
