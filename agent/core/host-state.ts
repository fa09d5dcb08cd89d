import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';
import type { HostState, LinkDomain, LinkDrbdResource, LinkGuarded, LinkHome } from '../../shared/protocol/agent-link-state.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { homeHere } from '../decide/home-claim.js';
import { reportedDrbdViews } from './drbd.js';
import { reasonOf } from '../decide/autostart.js';
import type { AgentState } from './state.js';
import { LINK_FEATURE } from '../../shared/protocol/agent-link.js';

/**
 * What the agent reports to the controller, as the link's schema wants it: built from the state
 * on every decision, diffed by section against what the controller already has (core/link.ts).
 * Names a schema would refuse (never from a sane toolstack) are left out rather than losing the
 * whole report.
 */
const iso = (ms: number): string => new Date(ms).toISOString();
const WORD = /^[A-Za-z]{1,32}$/;
const word = (w: string | null): string | null => (w !== null && WORD.test(w) ? w : null);
const role = (r: string | null): 'Primary' | 'Secondary' | 'Unknown' | null => (r === 'Primary' || r === 'Secondary' || r === 'Unknown' ? r : null);

/** One xl list row as the link reports it; null for Domain-0, dying `(null)` rows and names the link refuses. */
export function linkDomain(d: InventoryDomain): LinkDomain | null {
  if (d.name === 'Domain-0' || d.baseName === null || !DOMU_NAME_RE.test(d.baseName) || d.name.length > 80) return null;
  return { name: d.name, baseName: d.baseName, domid: d.domid, state: d.state, memMiB: d.memMiB, vcpus: d.vcpus, migration: d.migration };
}

/** The rows, each with since when Xen has run it here where that is known and the controller takes it (core/start-times.ts). */
function domains(s: AgentState): LinkDomain[] {
  const started = s.link.accepts.includes(LINK_FEATURE.domainStarted) ? s.startTimes : null;
  return (s.domains ?? []).flatMap((d) => {
    const row = linkDomain(d);
    const t = d.domid === null ? undefined : started?.get(d.domid);
    if (row === null) return [];
    return t === undefined || t.at === null || t.name !== d.name ? [row] : [{ ...row, startedAt: iso(t.at) }];
  });
}

/**
 * The domUs xl list shows that the report leaves out for their names (not a name the link's schema
 * takes: letters, digits, . _ -, at most 64): the controller never hears of them, so `where` cannot
 * find them, and the operator is told (core/link.ts) rather than left to wonder.
 */
export const unreportedDomains = (s: AgentState): string[] =>
  (s.domains ?? []).filter((d) => d.name !== 'Domain-0' && d.baseName !== null && linkDomain(d) === null).map((d) => d.name);

/**
 * One DRBD resource as the link reports it: roles and state words the schema takes, or null. A
 * peer's `client`, and this Dom0's own, go only to a controller whose welcome ACCEPTS each (an
 * older one refuses the key).
 */
export const linkDrbdResource = (r: DrbdResourceView, accepts: readonly string[]): LinkDrbdResource => {
  const clients = accepts.includes(LINK_FEATURE.drbdClient);
  const self = accepts.includes(LINK_FEATURE.drbdLocalClient) && r.client === true;
  return {
    name: r.name,
    role: r.up ? role(r.role) : null,
    disk: word(r.disk),
    ...(self ? { client: true } : {}),
    peers: r.peers.slice(0, 32).map((p) => ({ name: p.name.slice(0, 253), role: role(p.role), connection: word(p.connection), disk: word(p.disk), replication: word(p.replication), ...(clients && p.client === true ? { client: true } : {}) })),
  };
};

function guarded(s: AgentState): LinkGuarded[] {
  const seen = new Set<string>();
  return s.guarded.flatMap((g) => {
    if (seen.has(g.name) || !DOMU_NAME_RE.test(g.name)) return [];
    seen.add(g.name);
    const rec = s.records.get(g.name);
    const d = rec?.decision ?? null;
    return [{ name: g.name, decision: d?.kind ?? 'unknown', reason: reasonOf(d), detail: (d?.detail ?? 'not decided yet').slice(0, 2000), since: iso(rec?.since ?? s.startedAt), drbdResources: [...g.drbdResources] }];
  });
}

/** Every resource held here, a standby replica's too: `check` judges a pair from both its sides. */
function drbd(s: AgentState): HostState['drbd'] {
  return { availability: s.drbd.availability, resources: [...reportedDrbdViews(s).values()].map((r) => linkDrbdResource(r, s.link.accepts)) };
}

function homes(s: AgentState): LinkHome[] {
  if (!s.ledger) return [];
  const ledger = s.ledger;
  const map = new Map(s.homes.map((h) => [h.name, h]));
  return s.homes.flatMap((h) => (homeHere(map, ledger, h.name) ? [{ name: h.name, peer: h.peer, source: h.source }] : []));
}

/** The ledger as reported: its unsettled table only to a controller that said it reads one, and only when not empty. */
function ledger(s: AgentState): HostState['ledger'] {
  if (!s.ledger) return { seq: 0, away: {}, visitors: {} };
  const { seq, away, visitors, unsettled } = s.ledger;
  const sent = Object.keys(unsettled).length > 0 && s.link.accepts.includes(LINK_FEATURE.unsettled);
  return sent ? { seq, away, visitors, unsettled } : { seq, away, visitors };
}

export function hostStateOf(s: AgentState): HostState {
  const m = s.memory;
  const domuNow = (s.domains ?? []).filter((d) => d.name !== 'Domain-0').reduce((a, d) => a + d.memMiB, 0);
  // free memory as of the last `xl info`, moved by what domUs took or gave back since
  const free = m?.freeMiB == null ? null : Math.max(0, m.freeMiB + (m.domuMiBAtRead - domuNow));
  return {
    toolstack: s.toolstack,
    memory: { totalMiB: m?.totalMiB ?? null, freeMiB: free },
    maintenance: s.maintenance,
    domains: domains(s),
    guarded: guarded(s),
    drbd: drbd(s),
    ledger: ledger(s),
    homes: homes(s),
    domus: [...s.domus],
    // null until `xl info` answered, so the controller hears when it does
    ...(s.link.accepts.includes(LINK_FEATURE.xenVersion) ? { xen: s.xen } : {}),
    // none before the first read: the controller then says nothing rather than "all well"
    ...(s.link.accepts.includes(LINK_FEATURE.stateDisk) && s.stateDisks.length > 0 ? { stateDisks: [...s.stateDisks] } : {}),
  };
}

/** The sections of next that differ from prev (all of them when prev is null). */
export function changedSections(prev: HostState | null, next: HostState): Partial<HostState> {
  if (prev === null) return next;
  const out: Partial<Record<keyof HostState, unknown>> = {};
  for (const k of Object.keys(next) as (keyof HostState)[]) if (JSON.stringify(prev[k]) !== JSON.stringify(next[k])) out[k] = next[k];
  return out as Partial<HostState>;
}
