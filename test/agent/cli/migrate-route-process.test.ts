import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runTool } from '../../../agent/adapters/exec.js';
import { startSim } from '../../sim/sim.js';
import { writeRootSshConfig } from '../../harness/root-ssh-config.js';
import { buildAgent, runAsync } from '../run/agent-process.js';
import { sshdInstalled, startSshd } from '../../ssh/sshd.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The real CLI process: `ssh -G` is run as a tool (the simulator's, reading the host's root's
// ssh_config) and the addresses come from the system resolver (literals here, no DNS asked).
const FLEET = pairFleet();

let agent: { path: string; cleanup: () => void };
beforeAll(() => {
  agent = buildAgent();
}, 120_000);
afterAll(() => agent?.cleanup());

describe('xenherd-agent migrate whose xl migrate would go elsewhere', () => {
  it('exits 77 before anything moves, naming both routes; --dry-run shows the verdict of the check', async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    onTestFinished(() => sim.stop());
    const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers: { xen2: { address: '127.0.0.1', port: 1 } } } }));
    writeRootSshConfig(sim.hostRoot('xen1'), { xen2: { address: '127.0.0.2', port: 2222 } });
    const r = await runAsync(process.execPath, [agent.path, 'migrate', 'web1'], sim.env('xen1'));
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(
      "XH_ERR_REFUSED: preflight: xl migrate (root's ssh) would take xen2 to another machine than the one checked: to 127.0.0.2 port 2222 (127.0.0.2; no host key read there: 127.0.0.2 port 2222: connect ECONNREFUSED 127.0.0.2:2222), while the checks reached 127.0.0.1 port 1 (migration.peers.xen2.address) (127.0.0.1); fix whichever is stale:",
    );
    expect(r.stdout).not.toContain('migrating web1');
    expect(sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host)).toEqual(['xen1']);

    const dry = await runAsync(process.execPath, [agent.path, 'migrate', 'web1', '--dry-run', '--json'], sim.env('xen1'));
    const out = JSON.parse(dry.stdout) as { preflight: { check: { check: string }; ok: boolean; detail: string }[] };
    expect(out.preflight.find((v) => v.check.check === 'toolstack-route')).toMatchObject({ ok: false, detail: expect.stringContaining('to 127.0.0.2 port 2222 (127.0.0.2; no host key read there') });
  });

  it("--dry-run says a route through root's ProxyJump to the checks' own name goes through the jump host", async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    onTestFinished(() => sim.stop());
    const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers: { xen2: { address: 'xen2-mig', port: 22 } } } }));
    writeRootSshConfig(sim.hostRoot('xen1'), { xen2: { address: 'xen2-mig', proxyJump: 'admin@jump1' } });
    const dry = await runAsync(process.execPath, [agent.path, 'migrate', 'web1', '--dry-run'], sim.env('xen1'));
    expect(dry.stdout).toContain("\n  ok   xl migrate (root's ssh) reaches xen2 at xen2-mig port 22, the name the checks use, but through the jump host admin@jump1 (ProxyJump): that end resolves the name itself, and the domU's memory passes through it; root's ssh (xl migrate's) looks xen2's host key up as xen2-mig in ");
  });

  it("root's ssh to another port of the address the checks use: refused unless the real sshd there shows xen2's host key", async () => {
    expect(sshdInstalled()).toBe(true);
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    onTestFinished(() => sim.stop());
    const dir = mkdtempSync(join(tmpdir(), 'xh-route-port-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // xen2's sshd as the checks reach it, and another sshd on the same address (as a port forwarded to another machine would be)
    const [checked, other] = await Promise.all([startSshd(join(dir, 'checked'), ''), startSshd(join(dir, 'other'), '')]);
    onTestFinished(() => Promise.all([checked.stop(), other.stop()]).then(() => undefined));
    const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
    mkdirSync(etc, { recursive: true, mode: 0o700 });
    writeFileSync(join(etc, 'agent.json'), JSON.stringify({ migration: { peers: { xen2: { address: '127.0.0.1', port: checked.port } } } }));
    writeFileSync(join(etc, 'known_hosts'), `[127.0.0.1]:${checked.port} ${checked.hostKeyPub}\n`);
    // root's ssh was pointed at the second port after it had learnt xen2's key at the first
    writeRootSshConfig(sim.hostRoot('xen1'), { xen2: { address: '127.0.0.1', port: other.port, hostKey: checked.hostKeyPub } });
    const routeVerdict = async (): Promise<unknown> => {
      const dry = await runAsync(process.execPath, [agent.path, 'migrate', 'web1', '--dry-run', '--json'], sim.env('xen1'));
      const out = JSON.parse(dry.stdout) as { preflight: { check: { check: string }; ok: boolean; detail: string }[] };
      return out.preflight.find((v) => v.check.check === 'toolstack-route');
    };
    expect(await routeVerdict()).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`would take xen2 to 127.0.0.1 port ${other.port}, another sshd than the one checked at 127.0.0.1 port ${checked.port} (migration.peers.xen2.address); it shows host key ssh-ed25519 SHA256:`),
    });
    const sameDom0 = { ok: true, detail: expect.stringMatching(new RegExp(`^xl migrate \\(root's ssh\\) reaches xen2 at 127\\.0\\.0\\.1 port ${other.port}, where the checks reach it at port ${checked.port}, and the sshd there shows xen2's host key \\(ssh-ed25519 SHA256:[^)]+\\): the same Dom0 at another port; root's ssh \\(xl migrate's\\) looks xen2's host key up as \\[127\\.0\\.0\\.1\\]:${other.port} in .*, and knows it \\(/root/\\.ssh/known_hosts:\\d+\\)$`)) };
    // listed bare (port 22's key) with no line for that port: ssh takes it ("found matching key
    // w/out port"), so the route check passes; but root's known_hosts lists for that port the key
    // of the sshd the checks reach, not the one that port shows: root's real ssh refuses it there,
    // and so does the check, comparing root's line with the key the agent vouches for at that port
    appendFileSync(join(etc, 'known_hosts'), `xen2 ${other.hostKeyPub}\n127.0.0.1 ${other.hostKeyPub}\n`);
    const rootKnownHosts = join(sim.hostRoot('xen1'), 'root/.ssh/known_hosts');
    const realSsh = await runTool('ssh', ['-F', '/dev/null', '-o', `UserKnownHostsFile=${rootKnownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(other.port), '127.0.0.1', 'true'], { timeoutMs: 20_000 });
    expect(realSsh.ok ? '' : realSsh.error.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(await routeVerdict()).toMatchObject({ ok: false, detail: expect.stringMatching(/and the key listed at \/root\/\.ssh\/known_hosts:\d+ is not the one xen2 shows \(.*REMOTE HOST IDENTIFICATION HAS CHANGED/) });
    writeFileSync(rootKnownHosts, `[127.0.0.1]:${other.port} ${other.hostKeyPub}\n`);
    expect(await routeVerdict()).toMatchObject(sameDom0);
    // a line for that port with another key sets the bare ones aside, in ssh and in the check
    appendFileSync(join(etc, 'known_hosts'), `[127.0.0.1]:${other.port} ${checked.hostKeyPub}\n`);
    expect(await routeVerdict()).toMatchObject({
      ok: false,
      detail: expect.stringContaining(`which known_hosts does not list for xen2 as ssh takes a key at port ${other.port}: under [xen2]:${other.port} or [127.0.0.1]:${other.port}, or bare while no line lists one so`),
    });
    // the same Dom0's sshd on a second port shows a key known_hosts lists for xen2 at that port
    appendFileSync(join(etc, 'known_hosts'), `[xen2]:${other.port} ${other.hostKeyPub}\n`);
    expect(await routeVerdict()).toMatchObject(sameDom0);
  });
});
