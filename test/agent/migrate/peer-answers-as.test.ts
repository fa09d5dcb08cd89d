import { describe, expect, it } from 'vitest';
import { answersAs } from '../../../agent/decide/answers-as.js';
import { askPing, askStatus, runsOnPeer } from '../../../agent/migrate/peer-requests.js';
import type { MigrationPorts, PeerAnswer } from '../../../agent/migrate/ports.js';
import { PEER_PROTOCOL_VERSION, type PeerStatus } from '../../../shared/protocol/peer.js';
import { ok } from '../../../shared/result.js';

// The peer is reached by its name over ssh; a stale ~/.ssh/config entry, hosts file or DNS record
// can put another Dom0's forced command behind it, whose answer would be taken for the peer's.
const answeringAs = (host: string): MigrationPorts => {
  const status: PeerStatus = { v: PEER_PROTOCOL_VERSION, t: 'status', host, name: 'web1', present: 'here', state: 'running', listedAs: 'web1', home: 'xen1', freeMemMiB: 8192 };
  const ask = async (_peer: string, command: string): Promise<ReturnType<typeof ok<PeerAnswer>>> =>
    ok({ exitCode: 0, lines: [command === 'ping' ? { v: PEER_PROTOCOL_VERSION, t: 'pong', host } : status], stderr: '' });
  return { peer: { ask } } as unknown as MigrationPorts;
};

describe('an answer from a Dom0 other than the one asked', () => {
  it('status: refused, naming both and where to look; nothing of it is used', async () => {
    expect(await askStatus(answeringAs('xen3'), 'xen2', 'web1', false, true)).toEqual({
      code: 'XH_ERR_REFUSED',
      message:
        "xen2 answered `status web1 --tools` as xen3: the name xen2 reaches another Dom0, so its answer is not used; check what xen2 stands for here (migration.peers.xen2 in the agent's config, its Host entry in ~/.ssh/config, /etc/hosts, DNS) and the host name of the Dom0 it reaches (`hostname` there); `xenherd-agent ping xen2` shows who answers",
    });
  });

  it('ping: a PONG from another Dom0 fails in the same words, without sending the operator back to ping', async () => {
    expect(await askPing(answeringAs('xen3'), 'xen2')).toEqual({
      code: 'XH_ERR_REFUSED',
      message:
        "xen2 answered `ping` as xen3: the name xen2 reaches another Dom0, so its answer is not used; check what xen2 stands for here (migration.peers.xen2 in the agent's config, its Host entry in ~/.ssh/config, /etc/hosts, DNS) and the host name of the Dom0 it reaches (`hostname` there)",
    });
    expect(await askPing(answeringAs('XEN2.example.org'), 'xen2')).toEqual({ host: 'XEN2.example.org' });
  });

  it('a where-check asking it cannot tell (null), not "runs there"', async () => {
    expect(await runsOnPeer(answeringAs('xen3'), 'xen2', 'web1')).toBeNull();
    expect(await runsOnPeer(answeringAs('xen2'), 'xen2', 'web1')).toBe(true);
  });

  it('the same Dom0 by its full or short name, in any case, is the one asked', async () => {
    expect(await askStatus(answeringAs('xen2.example.org'), 'xen2', 'web1')).toMatchObject({ host: 'xen2.example.org', present: 'here' });
    const table: [string, string, boolean][] = [
      ['xen2', 'xen2', true], ['xen2', 'XEN2', true], ['xen2', 'xen2.example.org', true], ['xen2.example.org', 'xen2', true],
      ['xen2', 'xen3', false], ['xen2', 'xen20', false], ['xen2.example.org', 'xen3.example.org', false], ['xen2.a.org', 'xen3', false],
    ];
    for (const [asked, host, same] of table) expect(answersAs(asked, host), `${asked} answered as ${host}`).toBe(same);
  });
});
