import { describe, expect, it } from 'vitest';
import { askStatus } from '../../../agent/migrate/peer-requests.js';
import type { MigrationPorts, PeerAnswer } from '../../../agent/migrate/ports.js';
import { parseMigrate2Command } from '../../../agent/parse/migrate2-command.js';
import { PEER_PROTOCOL_VERSION, peerRefusal, type PeerStatus } from '../../../shared/protocol/peer.js';
import { ok } from '../../../shared/result.js';

// A peer whose agent predates `--tools` rejects the word (its grammar is strict): asked again
// without it, its answer carries no tools, and its migration is not held back for that.
const STATUS: PeerStatus = { v: PEER_PROTOCOL_VERSION, t: 'status', host: 'xen2', name: 'web1', present: 'absent', state: null, listedAs: null, home: null, freeMemMiB: 8192 };

function olderPeer(asked: string[]): MigrationPorts {
  const ask = async (_peer: string, command: string) => {
    asked.push(command);
    const answer: PeerAnswer = command.endsWith(' --tools') ? { exitCode: 64, lines: [peerRefusal('XH_ERR_COMMAND_REJECTED', 'rejected')], stderr: '' } : { exitCode: 0, lines: [STATUS], stderr: '' };
    return ok(answer);
  };
  return { peer: { ask } } as unknown as MigrationPorts;
}

describe('status NAME --tools', () => {
  it('is asked again without the word of a peer that rejects it, keeping --not-mine', async () => {
    const asked: string[] = [];
    expect(await askStatus(olderPeer(asked), 'xen2', 'web1', true, true)).toEqual(STATUS);
    expect(asked).toEqual(['status web1 --not-mine --tools', 'status web1 --not-mine']);
    // each is a command of the grammar
    expect(asked.map((c) => parseMigrate2Command(c).ok)).toEqual([true, true]);
  });
});
