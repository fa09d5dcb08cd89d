import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from './invariants.js';
import { parseFleet } from './model/fleet-file.js';
import { runScenario } from './scenario/run.js';
import { startSim } from './sim.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const files = readdirSync(DIR).filter((f) => f.endsWith('.scenario')).sort();

describe('scenarios (deterministic clock, golden logs)', () => {
  it('ships at least 6 scenarios', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const f of files) {
    it(f, async () => {
      const { log, failures } = await runScenario(readFileSync(join(DIR, f), 'utf8'));
      const golden = join(DIR, f.replace(/\.scenario$/, '.expected'));
      if (!existsSync(golden)) writeFileSync(golden, log); // first run writes it: review and commit
      expect(failures).toEqual([]);
      expect(log).toBe(readFileSync(golden, 'utf8'));
    });
  }
});

const FLEET = `
host xen1 mem=16384 cpus=8 toolstack=xl drbd=8.4
host xen2 mem=16384 cpus=8 toolstack=xl drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

describe('invariant checker', () => {
  it('a healthy fleet has no violation', () => expect(checkInvariants(parseFleet(FLEET))).toEqual([]));

  it('catches a domU forced onto two hosts (and the double Primary that comes with it)', async () => {
    const sim = await startSim({ fleet: FLEET });
    try {
      sim.force('clone web1 onto xen2', (s) => ({
        ...s,
        domains: [...s.domains, { ...s.domains[0]!, host: 'xen2', domid: 7 }],
        drbd: { ...s.drbd, r1: { ...s.drbd.r1!, replicas: { ...s.drbd.r1!.replicas, xen2: { role: 'Primary', disk: 'UpToDate' } } } },
      }));
      const problems = sim.violations.flatMap((v) => v.problems);
      expect(problems).toContain('domU web1 runs on 2 hosts: xen1, xen2');
      expect(problems).toContain('DRBD r1 is Primary on both xen1 and xen2 with no migration in flight');
    } finally {
      await sim.stop();
    }
  });

  it('catches negative free memory', () => {
    const s = parseFleet(FLEET);
    const broken = { ...s, domains: s.domains.map((d) => ({ ...d, memMiB: 99_999 })) };
    expect(checkInvariants(broken)).toContain('host xen1 free memory is negative (-84639 MiB)');
  });

  it('a live migration keeps both Primaries legal while in flight', async () => {
    const sim = await startSim({ fleet: FLEET });
    try {
      const m = sim.start('xen1', 'xl', ['migrate', 'web1', 'xen2']);
      await sim.advance(0);
      expect(sim.state().drbd.r1!.replicas.xen2!.role).toBe('Primary');
      await sim.advance(5000);
      expect((await m.done).exitCode).toBe(0);
      expect(sim.violations).toEqual([]);
    } finally {
      await sim.stop();
    }
  });
});
