import { applyAvailability } from './drbd.js';
import { log } from './effects.js';
import type { DomainsRead, HostRead } from './events.js';
import type { LinkXen } from '../../shared/protocol/agent-link-state.js';
import type { AgentState, ReadState } from './state.js';
import { nameDom0InGuests } from './xenstore-names.js';
import { readStartTimes } from './start-times.js';
import { settleCreated } from './created.js';
import { applyReadFlag } from './maintenance-command.js';
import { readFullEffect, requestFullRead, requestList } from './read-requests.js';
import { arm, type Fx } from './timers.js';
import { answerJoinedRechecks } from './recheck.js';
import { followMigrationRows } from './migration-rows.js';
import { followRenames } from './rename-watch.js';

// What the reads bring (core/read-requests.ts asks for them): the host's state taken in, the
// reads asked again that came during one, the first decisions waiting for the first read.

const INITIAL_DUMP_WAIT_MS = 3_000;

const finished = (r: ReadState): { read: ReadState; again: boolean } => ({ read: { running: r.again, again: false, done: r.done + 1 }, again: r.again });

/** what the domUs here use, for moving the last `xl info` free memory as they come and go */
const domuMemory = (domains: AgentState['domains']): number => (domains ?? []).filter((x) => x.name !== 'Domain-0').reduce((a, x) => a + x.memMiB, 0);

function applyDomains(s: AgentState, fx: Fx, read: DomainsRead, now: number, tookMs: number | null): AgentState {
  if (read.ok) return followRenames(followMigrationRows(readStartTimes(nameDom0InGuests({ ...s, domains: read.domains, dirty: true }, fx, now), fx), fx, read.domains, now, tookMs), fx, read.domains);
  fx.push(log('error', `cannot list domains: ${read.message}`, { code: read.code }));
  return { ...s, domains: null, dirty: true };
}

/** A started domU the landed read did not show (it may have begun before the domain was there) gets one more. */
const readForCreated = (s: AgentState, fx: Fx): AgentState => (s.jobs.some((j) => j.phase === 'created') && !s.listRead.running ? requestList(s, fx) : s);

/** TOOKMS: how long the read took (it spaces the reads that follow migration rows) */
export function onDomainsRead(s: AgentState, fx: Fx, read: DomainsRead, now: number, tookMs: number): AgentState {
  const f = finished(s.listRead);
  let n = settleCreated(applyDomains({ ...s, listRead: f.read }, fx, read, now, tookMs));
  if (f.again && n.toolstack !== null && n.phase !== 'stopping' && n.phase !== 'stopped') fx.push({ e: 'read-domains', toolstack: n.toolstack });
  else if (f.again) n = { ...n, listRead: { ...n.listRead, running: false } };
  return answerJoinedRechecks(readForCreated(n, fx), fx, 'current');
}

/** Asked at READY when the host's name came from its record: the name wins if it changed, and the memory figures come. */
export function onInfoRead(s: AgentState, fx: Fx, host: string | null, memory: { totalMiB: number | null; freeMiB: number | null } | null, xen: LinkXen | null, problem: string | null): AgentState {
  if (problem !== null) fx.push(log('warn', `cannot read xl info: ${problem}; keeping the host name ${s.host} from the last start`, { code: 'XH_ERR_TOOL_FAILED' }));
  const n: AgentState = { ...s, hostToConfirm: false, memory: memory ? { ...memory, domuMiBAtRead: domuMemory(s.domains) } : s.memory, xen: xen ?? s.xen };
  if (host === null) return n;
  fx.push({ e: 'save-host-name', host });
  if (host === s.host) return n;
  fx.push(log('warn', `the toolstack names this host ${host}, not ${s.host} as the last start recorded: deciding again as ${host}`, { host }));
  return { ...n, host, dirty: true };
}

export function onFullRead(s: AgentState, fx: Fx, read: HostRead, now: number): AgentState {
  let n: AgentState = { ...s, host: read.host ?? s.host, toolstack: read.toolstack ?? s.toolstack, hostToConfirm: s.hostToConfirm && read.host === null, toolstackProblem: read.toolstackProblem?.message ?? null };
  if (read.host !== null) fx.push({ e: 'save-host-name', host: read.host });
  // every full read (each minute) finds it again: said once, and once more when it changes or ends
  const none = read.toolstackProblem;
  if (none !== null && none.message !== s.toolstackProblem) fx.push(log('error', `no toolstack answers: ${none.message}`, { code: none.code }));
  else if (none === null && s.toolstackProblem !== null && read.toolstack !== null) fx.push(log('info', `the toolstack answers again (${read.toolstack})`));
  // each full read with a controller runs it (each minute): said once, and once more when it changes or ends
  if (read.info !== null && read.info.problem !== s.infoProblem) {
    if (read.info.problem === null) fx.push(log('info', `${n.toolstack ?? 'xl'} info read again: the memory figures go to the controller again`));
    else fx.push(log('warn', `cannot read ${n.toolstack ?? 'xl'} info: ${read.info.problem}; no memory figures for the controller's plans until it reads`, { code: 'XH_ERR_TOOL_FAILED' }));
    n = { ...n, infoProblem: read.info.problem };
  }
  // a full read runs more than `xl list` and is not timed: the list reads that follow it are (null: no figure)
  if (read.toolstack !== null || s.toolstack !== null) n = settleCreated(applyDomains(n, fx, read.domains, now, null));
  // every full read (each minute) finds it again: said once, and once more when it changes or
  // ends; an unreadable dir (not a missing one) is also in homesProblem, logged below
  if (read.guardedProblem !== s.guardedProblem) {
    if (read.guardedProblem === null) fx.push(log('info', `guarded dir ${s.config.guardedDir} readable again`));
    else if (!read.homesProblem?.includes(read.guardedProblem)) fx.push(log('error', `guarded dir unreadable: ${read.guardedProblem}`, { code: 'XH_ERR_FILE' }));
  }
  n = { ...n, guardedProblem: read.guardedProblem };
  if (read.ledgerProblem !== null && read.ledgerProblem !== s.ledgerProblem) {
    fx.push(log('error', `ledger unreadable, nothing is started: ${read.ledgerProblem}`, { code: 'XH_ERR_LEDGER_CORRUPT' }));
  }
  const own = new Set(read.guarded.map((g) => g.name));
  // before lastFullRead is set below: the first read decides the lease of a flag left active
  n = applyReadFlag(n, fx, read.maintenance.flag, s.fullRead.done + 1);
  n = {
    ...n,
    ledger: read.ledger,
    ledgerProblem: read.ledgerProblem,
    // visitors recorded in the ledger belong here until they go home: guarded like our own
    guarded: [...read.guarded, ...read.visitors.filter((v) => !own.has(v.name))],
    memory: read.memory ? { ...read.memory, domuMiBAtRead: domuMemory(read.domains.ok ? read.domains.domains : null) } : s.memory,
    // a release changes only with a reboot: a read without `xl info` keeps the last one
    xen: read.xen ?? s.xen,
    homes: read.homes,
    domus: read.domus,
    lastFullRead: now,
    dirty: true,
  };
  if (read.drbd.problem) fx.push(log('warn', `cannot tell whether DRBD is available: ${read.drbd.problem}`));
  if (read.maintenance.problem) fx.push(log('warn', read.maintenance.problem, { code: 'XH_ERR_FILE' }));
  if (read.homesProblem !== null && read.homesProblem !== s.homesProblem) fx.push(log('error', read.homesProblem, { code: 'XH_ERR_CONFIG' }));
  n = { ...n, homesProblem: read.homesProblem };
  n = applyAvailability(n, fx, read.drbd.availability, read.drbd.version, read.drbd.polled, read.drbd.pollProblems);
  const f = finished(n.fullRead);
  n = { ...n, fullRead: f.read };
  if (f.again && n.phase !== 'stopping' && n.phase !== 'stopped') fx.push(readFullEffect(n));
  else if (f.again) n = { ...n, fullRead: { ...n.fullRead, running: false } };
  // before the first decisions, wait (bounded) for events2's initial dump: deciding on an empty
  // DRBD view would only defer everything and log it
  if (n.phase === 'starting' && n.fullRead.done === 1 && n.drbd.availability === 'ok' && n.drbd.watcher.mode === 'events' && !n.drbd.events.initialDone) {
    n = arm(n, fx, 'initial-dump', INITIAL_DUMP_WAIT_MS);
  }
  return n;
}

export function onReadFailed(s: AgentState, fx: Fx, which: 'full' | 'list', message: string): AgentState {
  fx.push(log('error', `reading the host failed: ${message}`, { code: 'XH_ERR_INTERNAL', read: which }));
  const key = which === 'full' ? 'fullRead' : 'listRead';
  const f = finished(s[key]);
  const n: AgentState = { ...s, [key]: { ...f.read, running: false } };
  if (which === 'full') return f.again ? requestFullRead(n, fx) : n;
  // the re-checks waiting for this read run their own `xl list` instead
  return answerJoinedRechecks(readForCreated(f.again ? requestList(n, fx) : n, fx), fx, 'own');
}
