import type { CliIo } from '../../shared/cli/io.js';
import { WhereAnswerSchema, type WhereMatch } from '../../shared/protocol/ctl-where.js';
import { printable } from '../../shared/text/printable.js';
import type { CtlClient } from './client.js';
import type { CtlHooks } from './context.js';
import { formatAge } from './format.js';
import { isStale, whereColumns } from './where-line.js';

/**
 * Where a move's domU ends, as `where` shows it: `source` the Dom0 it leaves (a migrate's, the agent
 * it was sent to), `dest` the one it goes to when known (a migrate's HOST; a reverse's home, whose
 * agent pulls it back and was sent the command).
 */
export interface MoveEnds {
  readonly op: 'migrate' | 'reverse';
  readonly name: string;
  readonly source: string | null;
  readonly dest: string | null;
}

export type Settled = { readonly kind: 'moved' | 'stayed' | 'elsewhere'; readonly host: string } | { readonly kind: 'open' };

/**
 * What M says of the move after the agent's link dropped under it: open while the answer is stale,
 * a migration half stands, or the domU runs on no Dom0 or on several; else the one Dom0 it runs on,
 * as the move's end (`moved`), its start (`stayed`) or neither.
 */
export function settledOf(m: WhereMatch, ends: MoveEnds): Settled {
  if (m.midMigration || isStale(m) || m.places.length === 0) return { kind: 'open' };
  const hosts = new Set(m.places.map((p) => p.host));
  const [host] = [...hosts];
  if (hosts.size !== 1 || host === undefined || m.places.some((p) => p.domain.migration !== null)) return { kind: 'open' };
  // a reverse's start is wherever the domU was away: any Dom0 but its home
  if (ends.dest !== null) return { kind: host === ends.dest ? 'moved' : ends.source === null || host === ends.source ? 'stayed' : 'elsewhere', host };
  return { kind: host === ends.source ? 'stayed' : 'moved', host };
}

/** How often `where` is asked, and how long the domU must stay where it started before that is its ending. */
export const FOLLOW_EVERY_MS = 2_000;
/** as long as an agent's checks before a move may take (ssh to the peer, its forced command): a restart then has not moved it yet */
export const STAYED_FOR_MS = 60_000;
/** a Dom0 unheard this long after the drop (powered off, its agent not coming back) is not waited for further */
export const UNHEARD_FOR_MS = 120_000;
/** a live migration of a large domU over a slow link takes minutes; past this the operator is told to look again */
export const FOLLOW_AT_MOST_MS = 15 * 60_000;

/** What following has seen so far: the first moment of a stretch the domU stayed, or its answer stayed stale (null: not now). */
export interface FollowState {
  readonly started: number;
  readonly stayedSince: number | null;
  readonly staleSince: number | null;
}

/** How following ends: the exit code, and what the operator is told (OUT on stdout; else LINE and the where line on stderr). */
export type FollowEnd = { readonly code: 0; readonly out: string } | { readonly code: 91; readonly line: string; readonly whereLine?: string };

/**
 * One answer of `where NAME` (M; null: no Dom0 reports it) at NOW, after STATE: the end it makes, or
 * the state to go on with. Pure: the loop in followAfterLinkLost asks and sleeps.
 */
export function followStep(state: FollowState, m: WhereMatch | null, ends: MoveEnds, now: number): { readonly state: FollowState; readonly end: FollowEnd | null } {
  const s = m === null ? ({ kind: 'open' } as const) : settledOf(m, ends);
  const line = nowLine(m, now);
  const ended = (end: FollowEnd): { state: FollowState; end: FollowEnd } => ({ state, end });
  if (s.kind === 'moved') return ended({ code: 0, out: `${ends.name} now runs on ${s.host}: the ${ends.op} finished after the agent's link dropped\n${line}\n` });
  if (s.kind === 'elsewhere') return ended({ code: 91, line: `${ends.name} runs on ${s.host}, neither where it was nor where it was sent: ${line}` });
  const stayedSince = s.kind === 'stayed' ? (state.stayedSince ?? now) : null;
  const staleSince = m !== null && isStale(m) ? (state.staleSince ?? now) : null;
  const next: FollowState = { started: state.started, stayedSince, staleSince };
  if (s.kind === 'stayed' && stayedSince !== null && now - stayedSince >= STAYED_FOR_MS) {
    return { state: next, end: { code: 91, line: `${ends.name} still runs on ${s.host} ${formatAge(now - state.started)} after the agent's link dropped, with no migration of it under way: the ${ends.op} did not happen (the agent's journal on ${s.host} says why); run it again to move it`, whereLine: line } };
  }
  if (staleSince !== null && now - staleSince >= UNHEARD_FOR_MS) return { state: next, end: { code: 91, line: `the answer for ${ends.name} has stayed stale for ${formatAge(now - staleSince)}: ${line}; \`xenherdctl status\` says which Dom0 is not heard` } };
  if (now - state.started >= FOLLOW_AT_MOST_MS) return { state: next, end: { code: 91, line: `${ends.name} has not settled after ${formatAge(now - state.started)}: ${line}; \`xenherdctl where ${ends.name}\` again later` } };
  return { state: next, end: null };
}

/**
 * After a migrate or reverse ended in XH_ERR_AGENT_LINK_LOST (the agent restarted or its link
 * dropped while the move ran on: the agent carries on with it on its own), follows `where NAME`
 * until the move has an ending (followStep), so the operator learns where the domU is rather than
 * polling: 0 when it reached its destination, 91 when it stays where it was (for STAYED_FOR_MS),
 * runs elsewhere, its answer stays stale (UNHEARD_FOR_MS), the follow runs out, or the controller
 * cannot be asked; 130 at Ctrl-C.
 */
export async function followAfterLinkLost(client: CtlClient, ends: MoveEnds, io: CliIo, hooks: CtlHooks): Promise<number> {
  const clock = hooks.clock;
  let stoppedAt: number | null = null;
  let stop: () => void = () => undefined;
  const interrupted = new Promise<'stop'>((resolve) => (stop = () => resolve('stop')));
  const off =
    hooks.onInterrupt?.(() => {
      stoppedAt = clock.now();
      stop();
    }) ?? (() => undefined);
  io.stderr(`xenherdctl: waiting for ${ends.name} to settle: its ${ends.op} goes on without the agent's link (Ctrl-C stops watching, nothing is cancelled)\n`);
  let state: FollowState = { started: clock.now(), stayedSince: null, staleSince: null };
  let last: WhereMatch | null = null;
  try {
    for (;;) {
      const r = await Promise.race([client.get(`/where?pattern=${encodeURIComponent(ends.name)}`, WhereAnswerSchema), interrupted]);
      if (r === 'stop' || stoppedAt !== null) return said(io, `stopped watching: ${nowLine(last, clock.now())}`, 130);
      if (!r.ok) return said(io, `the controller could not be asked where ${ends.name} is (${r.error.message}): \`xenherdctl where ${ends.name}\` once it answers`, 91);
      last = r.value.matches.find((x) => x.name === ends.name) ?? null;
      const step = followStep(state, last, ends, clock.now());
      state = step.state;
      if (step.end !== null) {
        if (step.end.code === 0) {
          io.stdout(step.end.out);
          return 0;
        }
        return said(io, step.end.line, 91, step.end.whereLine);
      }
      const next = await Promise.race([clock.sleep(FOLLOW_EVERY_MS), interrupted]);
      if (next === 'stop') return said(io, `stopped watching: ${nowLine(last, clock.now())}`, 130);
    }
  } finally {
    off();
  }
}

const nowLine = (m: WhereMatch | null, now: number): string => (m === null ? 'no Dom0 reports it now' : whereColumns(m, now).join('  '));

/** LINE on stderr, and under it WHERELINE (`where`'s columns, made printable already) when given. */
function said(io: CliIo, line: string, code: number, whereLine?: string): number {
  io.stderr(`xenherdctl: ${printable(line)}\n${whereLine === undefined ? '' : `${whereLine}\n`}`);
  return code;
}
