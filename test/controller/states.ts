import type { HostState, LinkAway, LinkDomain, LinkDrbdResource, LinkGuarded, LinkUnsettled } from '../../shared/protocol/agent-link-state.js';
import { HostStateSchema } from '../../shared/protocol/agent-link-state.js';
import type { HostRecord } from '../../controller/fleet/host-record.js';

/** A toolstack row: plain running by default; `migration` renames it as libxl does. */
export function dom(name: string, opts: Partial<LinkDomain> = {}): LinkDomain {
  const migration = opts.migration ?? null;
  return {
    name: migration === null ? name : `${name}--${migration}`,
    baseName: name,
    domid: 7,
    state: 'blocked',
    memMiB: 1024,
    vcpus: 1,
    migration,
    ...opts,
  };
}

export const guarded = (name: string, drbdResources: string[] = [`r-${name}`], opts: Partial<LinkGuarded> = {}): LinkGuarded => ({
  name,
  decision: 'running',
  reason: null,
  detail: '',
  since: '2024-05-01T14:02:00.000Z',
  drbdResources,
  ...opts,
});

export const primary = (name: string, peer: string, role: 'Primary' | 'Secondary' = 'Primary', peerRole: 'Primary' | 'Secondary' | 'Unknown' = 'Secondary'): LinkDrbdResource => ({
  name,
  role,
  disk: 'UpToDate',
  peers: [{ name: peer, role: peerRole, connection: 'Connected', disk: 'UpToDate', replication: 'Established' }],
});

export const away = (home: string, currentHost: string, opts: Partial<LinkAway> = {}): LinkAway => ({
  home,
  currentHost,
  since: '2024-05-01T14:02:00.000Z',
  operationId: 'op-1',
  reason: 'manual',
  ...opts,
});

/** A migration with PEER whose ending nobody knows, as the ledger of the Dom0 that ran it keeps it. */
export const unsettled = (peer: string, opts: Partial<LinkUnsettled> = {}): LinkUnsettled => ({
  peer,
  since: '2024-05-01T14:02:00.000Z',
  operationId: 'op-7',
  operation: 'migrate',
  message: 'the migration of its domU ended unknown',
  ...opts,
});

/** A valid host state (checked against the protocol schema, so tests send only what an agent may). */
export function hostState(parts: Partial<HostState> = {}): HostState {
  return HostStateSchema.parse({
    toolstack: 'xl',
    memory: { totalMiB: 65536, freeMiB: 32768 },
    maintenance: { state: 'online', operationId: null, owner: null },
    domains: [],
    guarded: [],
    drbd: { availability: 'ok', resources: [] },
    ledger: { seq: 0, away: {}, visitors: {} },
    homes: [],
    domus: [],
    ...parts,
  });
}

/** A record as the controller core holds it: link up and heard from at `lastSeen`. */
export const record = (host: string, state: HostState | null, lastSeen = 1_000_000, linkUp = true): HostRecord => ({
  host,
  bootId: `boot-${host}`,
  agentVersion: '0.1.0',
  capabilities: ['migrate', 'reverse', 'fleet-view'],
  linkUp,
  lastSeen,
  state,
  maintenanceSince: null,
});
