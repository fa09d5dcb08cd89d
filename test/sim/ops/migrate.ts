import { freeMiB } from '../model/host-view.js';
import type { Migration, SimState, Toolstack } from '../model/types.js';
import { createDomain, removeDomain, updateDomain, xenStartTime } from './domain.js';
import { fail, ok, type OpError, type OpResult } from './result.js';

/**
 * A live migration as libxl does it, in steps the daemon schedules on the clock:
 *   start     target creates NAME--incoming (paused); block-drbd promotes the target's replicas
 *             (allow-two-primaries) while the source stays Primary
 *   ack       after memory ÷ bandwidth: source suspended and renamed NAME--migratedaway
 *   finish    target renamed NAME and unpaused; source destroyed, its replicas demoted
 *   failTarget / failHandshake: the two failure endings after the copy
 */
export function findMigration(s: SimState, id: number): Migration | undefined {
  return s.migrations.find((m) => m.id === id);
}

/** Why the target cannot receive this domain (domain creation fails at the target), or null. */
export function targetProblem(s: SimState, name: string, from: string, to: string): OpError | null {
  const d = s.domains.find((x) => x.host === from && x.name === name);
  if (!d) return { kind: 'no-domain', name };
  if (s.domains.some((x) => x.host === to && (x.name === name || x.name === `${name}--incoming`))) return { kind: 'name-taken', name };
  const free = freeMiB(s, to);
  if (free < d.memMiB) return { kind: 'no-memory', host: to, needMiB: d.memMiB, freeMiB: free };
  for (const r of d.drbd) if (!s.drbd[r]?.replicas[to]) return { kind: 'not-replica', res: r, host: to };
  return null;
}

export function startMigration(s: SimState, name: string, from: string, to: string, toolstack: Toolstack): OpResult & { id?: number } {
  const problem = targetProblem(s, name, from, to);
  if (problem) return fail(problem);
  const d = s.domains.find((x) => x.host === from && x.name === name)!;
  const created = createDomain(s, to, { name: `${name}--incoming`, memMiB: d.memMiB, vcpus: d.vcpus, drbd: d.drbd, configPath: d.configPath, guest: d.guest, run: 'paused', incoming: true });
  if (!created.ok) return created;
  const incoming = created.state.domains.find((x) => x.host === to && x.name === `${name}--incoming`)!;
  const marked = { ...created.state, domains: created.state.domains.map((x) => (x === incoming ? { ...x, restoring: true } : x)) };
  const id = s.nextMigrationId;
  const m: Migration = { id, domain: name, from, to, startedAt: s.now, phase: 'transfer', toolstack };
  return { ...ok({ ...marked, migrations: [...marked.migrations, m], nextMigrationId: id + 1 }), id };
}

const source = (s: SimState, m: Migration) => s.domains.find((d) => d.host === m.from && (d.name === m.domain || d.name === `${m.domain}--migratedaway`));
const target = (s: SimState, m: Migration) => s.domains.find((d) => d.host === m.to && (d.name === `${m.domain}--incoming` || d.name === m.domain));
const drop = (s: SimState, m: Migration): SimState => ({ ...s, migrations: s.migrations.filter((x) => x.id !== m.id) });

export function ackMigration(s: SimState, id: number): SimState {
  const m = findMigration(s, id);
  if (!m) return s;
  const src = source(s, m);
  let next = src ? updateDomain(s, m.from, src.domid, { name: `${m.domain}--migratedaway`, run: 'suspended' }) : s;
  next = { ...next, domains: next.domains.map((d) => (d.host === m.to && d.name === `${m.domain}--incoming` ? { ...d, restoring: false } : d)) };
  // the stream is done: libxl's receiving side writes its own start_time (domcreate_stream_done)
  const arrived = target(next, m);
  if (arrived) next = xenStartTime(next, m.to, arrived.uuid);
  next = { ...next, migrations: next.migrations.map((x) => (x.id === id ? { ...x, phase: 'handshake' as const } : x)) };
  return next;
}

export function finishMigration(s: SimState, id: number): SimState {
  const m = findMigration(s, id);
  if (!m) return s;
  let next = s;
  const tgt = target(next, m);
  if (tgt) next = updateDomain(next, m.to, tgt.domid, { name: m.domain, run: 'blocked' });
  const src = source(next, m);
  if (src) next = removeDomain(next, m.from, src.domid);
  return drop(next, m);
}

/** Target reports startup failure: it destroys its copy, the sender renames back and resumes. */
export function failAtTarget(s: SimState, id: number): SimState {
  const m = findMigration(s, id);
  if (!m) return s;
  let next = s;
  const tgt = target(next, m);
  if (tgt) next = removeDomain(next, m.to, tgt.domid);
  const src = source(next, m);
  if (src) next = updateDomain(next, m.from, src.domid, { name: m.domain, run: 'blocked' });
  return drop(next, m);
}

/** Final handshake lost: both copies stay (NAME--migratedaway suspended, NAME--incoming paused). */
export function failHandshake(s: SimState, id: number): SimState {
  const m = findMigration(s, id);
  return m ? drop(s, m) : s;
}

/** A host of a migration lost power: the other side cleans up as libxl would. */
export function abortForPower(s: SimState, id: number): SimState {
  const m = findMigration(s, id);
  if (!m) return s;
  if (s.hosts[m.to]?.power !== 'on') return failAtTarget(s, id);
  const tgt = target(s, m);
  return drop(tgt ? removeDomain(s, m.to, tgt.domid) : s, m);
}
