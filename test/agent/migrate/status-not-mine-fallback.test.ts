import { afterEach, describe, expect, it } from 'vitest';
import { askStatus } from '../../../agent/migrate/peer-requests.js';
import type { PeerPort } from '../../../agent/migrate/ports.js';
import { parseMigrate2Command } from '../../../agent/parse/migrate2-command.js';
import { ok } from '../../../shared/result.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// `status NAME --not-mine` to a peer whose agent predates the word: the peer's gate rejects the
// line (XH_ERR_COMMAND_REJECTED, nothing run) and the question is asked again as it always was.
let fleet: Fleet;
afterEach(async () => fleet?.stop());

/** The peer as an agent that knows only `status NAME`: its gate's refusal line, as it sends it. */
function olderPeer(asked: string[]): PeerPort['ask'] {
  return async (_peer, command) => {
    asked.push(command);
    if (command !== 'status web1') {
      const rejected = { v: 1 as const, t: 'result' as const, ok: false as const, code: 'XH_ERR_COMMAND_REJECTED' as const, message: `rejected: "${command}": wrong arguments for status; nothing was run`, operationId: null };
      return ok({ exitCode: 80, lines: [rejected], stderr: '' });
    }
    return ok({ exitCode: 0, lines: [{ v: 1 as const, t: 'status' as const, host: 'xen2', name: 'web1', present: 'here' as const, state: 'r-----', listedAs: null, home: 'xen1', freeMemMiB: 1000 }], stderr: '' });
  };
}

describe('askStatus --not-mine', () => {
  it('is asked again without the word of a peer that rejects it, and only then', async () => {
    fleet = await startFleet('host xen1 mem=4096\nhost xen2 mem=4096\n');
    const asked: string[] = [];
    const real = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    const ports = { ...real, peer: { ...real.peer, ask: olderPeer(asked) } };
    expect(await askStatus(ports, 'xen2', 'web1', true)).toMatchObject({ t: 'status', present: 'here', home: 'xen1' });
    expect(asked).toEqual(['status web1 --not-mine', 'status web1']);
    asked.length = 0;
    expect(await askStatus(ports, 'xen2', 'web1')).toMatchObject({ t: 'status' });
    expect(asked).toEqual(['status web1']);
  });

  it('a peer of this version takes the word (its gate accepts the line)', () => {
    expect(parseMigrate2Command('status web1 --not-mine')).toEqual({ ok: true, value: { op: 'status', name: 'web1', notMine: true } });
  });
});
