import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startSim } from '../../sim/sim.js';
import { writeRootSshConfig } from '../../harness/root-ssh-config.js';
import { buildAgent, runAsync } from '../run/agent-process.js';

// The real CLI process: `ssh -G` is run as a tool (the simulator's, reading the host's root's
// ssh_config) and the addresses come from the system resolver (literals here, no DNS asked).
const FLEET = `option bandwidth=1024 connect-delay=0
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

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
});
