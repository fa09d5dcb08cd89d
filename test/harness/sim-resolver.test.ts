import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsync } from '../agent/run/agent-process.js';
import { startSim } from '../sim/sim.js';
import { pairFleet } from './pair-fleet.js';
import { simHostKey } from './sim-resolver.js';

// The preflight words the key an sshd shows as `ssh-keygen -lf` does, so that an operator can
// compare it with the peer's own: the simulated sshd's must be that same fingerprint, of the very
// key each Dom0's root known_hosts lists for the others.

describe("a simulated Dom0's sshd host key", () => {
  it('is reported by the fingerprint ssh-keygen -lf prints for the key known_hosts lists', async () => {
    const sim = await startSim({ fleet: pairFleet({ xen3: true }) });
    try {
      const listed = await runAsync('ssh-keygen', ['-lf', join(sim.hostRoot('xen1'), 'root/.ssh/known_hosts')], {});
      expect(listed.code).toBe(0);
      const shows = simHostKey(sim, 'xen1');
      for (const peer of ['xen2', 'xen3']) {
        const line = listed.stdout.split('\n').find((l) => l.includes(` ${peer},`));
        const printed = /^256 (SHA256:[A-Za-z0-9+/]{43}) .*\(ED25519\)$/.exec(line ?? '')?.[1];
        expect(printed).toBeDefined();
        expect(await shows(peer, peer, 22)).toEqual({ listed: true, fingerprint: `ssh-ed25519 ${printed}` });
      }
    } finally {
      await sim.stop();
    }
  });
});
