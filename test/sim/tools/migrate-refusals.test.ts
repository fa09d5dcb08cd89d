import { describe, expect, it } from 'vitest';
import { readFixture } from '../../fixture.js';
import { simPerTest } from '../sim-per-test.js';

// Live migration crosses neither toolstacks nor goes down a Xen release: xm migrate needs the
// target's xend relocation server (none on an xl Dom0), xl's migrate-receive refuses to run beside
// xend, and an older xl cannot read a newer stream. The simulator refuses them as the tools do.
const fleet = `host xm1 mem=8192 cpus=2 toolstack=xm xen=4.1.4 drbd=8.4
host xl44 mem=8192 cpus=2 toolstack=xl xen=4.4.4 drbd=8.4
host xl411 mem=8192 cpus=2 toolstack=xl xen=4.11.4 drbd=8.4
host xl417 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
domu old1 mem=512 vcpus=1 home=xm1 peer=xl44 drbd=r0 running=xm1
domu new1 mem=512 vcpus=1 home=xl411 peer=xl44 drbd=r1 running=xl411
domu new2 mem=512 vcpus=1 home=xl411 peer=xl417 drbd=r2 running=xl411
domu new3 mem=512 vcpus=1 home=xl44 peer=xm1 drbd=r3 running=xl44
`;

const startSim = simPerTest();
const hostsOf = (sim: Awaited<ReturnType<typeof startSim>>, name: string): string[] => sim.state().domains.filter((d) => d.name === name).map((d) => d.host);

describe('migrations real Xen refuses', () => {
  it('xm to an xl Dom0: no relocation server there, refused before any copy (the fixture, byte for byte)', async () => {
    const sim = await startSim({ fleet });
    const r = await sim.run('xm1', 'xm', ['migrate', '--live', 'old1', 'xl44']);
    expect([r.exitCode, r.stderr]).toEqual([1, readFixture('xm/migrate-cant-connect.stderr.txt').body]);
    expect(hostsOf(sim, 'old1')).toEqual(['xm1']);
  });

  it("xl to a Dom0 running xend: the target's xl refuses beside xend, the banner never comes", async () => {
    const sim = await startSim({ fleet });
    const r = await sim.run('xl44', 'xl', ['migrate', 'new3', 'xm1']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.startsWith(readFixture('xl/xend-running.stderr.txt').body)).toBe(true);
    expect(r.stderr).toContain('truncated reading banner from migration receiver stream');
    expect(hostsOf(sim, 'new3')).toEqual(['xl44']);
  });

  it('xl down a Xen release (4.11 to 4.4): the receiver refuses the stream, the sender resumes', async () => {
    const sim = await startSim({ fleet });
    const r = await sim.run('xl411', 'xl', ['migrate', 'new1', 'xl44']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Savefile has mandatory flag(s) 0x2 which are not supported; need newer xl\nmigration target: Domain creation failed (code -6).\n');
    expect(r.stderr.endsWith('Migration failed, resuming at sender.\n')).toBe(true);
    expect(hostsOf(sim, 'new1')).toEqual(['xl411']);
  });

  it('xl up a release (4.11 to 4.17) still moves', async () => {
    const sim = await startSim({ fleet });
    const run = sim.run('xl411', 'xl', ['migrate', 'new2', 'xl417']);
    await sim.advance(10_000);
    const r = await run;
    expect([r.exitCode, hostsOf(sim, 'new2')]).toEqual([0, ['xl417']]);
  });
});
