import type { XhError } from '../../shared/errors.js';
import type { InventoryDomain } from '../../shared/inventory.js';
import { exitCodeFor } from '../../shared/errors.js';
import { PEER_PROTOCOL_VERSION, peerRefusal, type PeerLine, type PeerStatus } from '../../shared/protocol/peer.js';
import { planMigrate2 } from '../decide/migration-plan.js';
import { peerStatusLedger, type PeerStatusLedger } from '../decide/peer-status-ledger.js';
import type { Migrate2Request } from '../parse/migrate2-command.js';
import { xenRelease } from '../parse/xl-info.js';
import { without, withVisitor, type Ledger } from '../state/ledger.js';
import { readMaintenanceFlag } from '../host/maintenance-flag.js';
import { readMigrationFacts } from './facts.js';
import { executePlan } from './plan-executor.js';
import type { MigrationPorts } from './ports.js';

/**
 * What the forced command `xenherd-agent migrate2 --peer PEER` does for a request that passed the
 * grammar: answers PEER in JSON lines (shared/protocol/peer.ts) and returns the exit code. The
 * same function serves a real sshd's forced command and, in tests, the peer Dom0 in-process.
 */
export async function serveForcedCommand(p: MigrationPorts, peer: string, req: Migrate2Request, emit: (l: PeerLine) => void): Promise<number> {
  const refuse = (e: XhError): number => {
    emit(peerRefusal(e.code, e.message));
    return exitCodeFor(e.code);
  };
  if (req.op === 'ping') {
    emit({ v: PEER_PROTOCOL_VERSION, t: 'pong', host: p.host });
    return 0;
  }
  if (req.op === 'status') {
    const s = await statusFor(p, peer, req.name, req.notMine, req.tools === true);
    if ('code' in s) return refuse(s);
    emit(s);
    return 0;
  }
  const facts = await readMigrationFacts(p, req.name);
  if (!facts.ok) return refuse(facts.error);
  // taken for a domU's, such a row went through the plan with no config, so no DRBD disk to check
  const base = rowOfAnother(facts.value.domains, req.name);
  if (base !== null) return refuse(halfRow('migrate2', req.name, base, p.toolstack.kind));
  const plan = planMigrate2(facts.value, req.name, peer, p.newOperationId());
  if (!plan.ok) return refuse(plan.error);
  const done = await executePlan(p, plan.value, (line) => emit({ v: PEER_PROTOCOL_VERSION, t: 'progress', line: line.slice(0, 4000) }));
  if (!done.ok) return refuse(done.error);
  emit({ v: PEER_PROTOCOL_VERSION, t: 'result', ok: true, code: null, message: done.value.message, operationId: plan.value.operationId });
  return 0;
}

/**
 * `status NAME` from PEER. Besides answering, it keeps this Dom0's ledger true to what the two
 * hosts now know, as peerStatusLedger (agent/decide/peer-status-ledger.ts) decides. The answer
 * names this host's maintenance state: a migration preflight refuses a draining target.
 */
async function statusFor(p: MigrationPorts, peer: string, name: string, notMine: boolean, tools: boolean): Promise<PeerStatus | XhError> {
  const list = await p.toolstack.list();
  if (!list.ok) return list.error;
  const info = await p.toolstack.info();
  const freeMemMiB = info.ok ? info.value.freeMemoryMiB : null;
  const toolsOf = tools ? { toolstack: p.toolstack.kind, xen: info.ok ? xenRelease(info.value) : null } : {};
  const flag = (await readMaintenanceFlag(p.files, p.config.stateDir)).flag.state;
  // said only when it matters: an asker too old to know the field refuses the whole line, which
  // then only stops a move that this state refuses anyway
  const maintenance = flag === 'draining' || flag === 'maintenance' ? { maintenance: flag } : {};
  const answer = (present: 'here' | 'absent', state: string | null, listedAs: string | null, home: string | null): PeerStatus => ({ v: PEER_PROTOCOL_VERSION, t: 'status', host: p.host, name, present, state, listedAs, home, freeMemMiB, ...maintenance, ...toolsOf });
  // answering would record the asker's visitor under a name no domU has
  const base = rowOfAnother(list.value, name);
  if (base !== null) return halfRow('status', name, base, p.toolstack.kind);
  const exact = list.value.find((d) => d.name === name);
  if (!exact) {
    // mid-migration names count as present: the home must not take "absent" for an answer then
    const transient = list.value.find((d) => d.baseName === name && d.migration !== null);
    return transient ? answer('here', transient.state, transient.name, null) : answer('absent', null, null, null);
  }
  const f = await readMigrationFacts(p, name);
  if (!f.ok) return f.error;
  const v = peerStatusLedger(f.value, name, peer, notMine);
  if (v.kind === 'refused') return v.error;
  const change = ledgerChange(v, name, peer, new Date(p.clock.now()).toISOString());
  if (change !== null) {
    const w = await p.store.update(change);
    if (!w.ok) return w.error;
    await p.nudge(`${peer}'s status question about ${name} after a move changed this ledger`);
  }
  return answer('here', exact.state, null, v.kind === 'ours' ? p.host : peer);
}

/**
 * The ledger update for V, or null when there is none. Each checks again under the ledger's lock
 * (null: nothing to write), as another writer may have come between the read and the write.
 */
function ledgerChange(v: Exclude<PeerStatusLedger, { kind: 'refused' }>, name: string, peer: string, now: string): ((l: Ledger) => Ledger | null) | null {
  if (v.kind === 'peers') return v.recordVisitor ? (l) => (l.visitors[name]?.home === peer ? null : withVisitor(without(l, name), name, { home: peer, since: now, operationId: `status-from-${peer}` })) : null;
  if (v.change === 'drop-away') return (l) => (l.away[name]?.currentHost === peer ? without(l, name) : null);
  if (v.change === 'drop-visitor') return (l) => (l.visitors[name] ? without(l, name) : null);
  return null;
}

/**
 * The domU NAME's row belongs to when the toolstack lists NAME as another's, else null. xend's
 * migrating-NAME (and Zombie-NAME, a domain on its way out) pass the grammar, as on an xl Dom0
 * they may be a domU's own name: only the row here can say it is another domU's.
 */
function rowOfAnother(domains: readonly InventoryDomain[], name: string): string | null {
  const exact = domains.find((d) => d.name === name);
  return exact && exact.baseName !== null && exact.baseName !== name ? exact.baseName : null;
}

/** The refusal of a `status` or `migrate2` about a row the toolstack lists under another domU's name (BASE's). */
const halfRow = (verb: 'status' | 'migrate2', name: string, base: string, toolstack: string): XhError => ({
  code: 'XH_ERR_COMMAND_REJECTED',
  message: `rejected: "${verb} ${name}": ${toolstack} lists ${name} as a row of ${base} (a migration's half, or a domain on its way out), never a domU of its own: ask about ${base}; nothing was ${verb === 'status' ? 'recorded' : 'moved or recorded'}`,
});
