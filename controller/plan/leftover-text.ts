import type { Blocker, HostBlock, Leftover } from '../../shared/protocol/ctl-jobs.js';
import { CUT_LINK_SETTLE_MS, TRANSIENT_WAIT_MS } from './policy.js';
import { SETTLE_TWO_COPIES } from '../fleet/route.js';
import { moveLimitWords } from '../../shared/text/move-limit-words.js';
import { DRBD_LINK_DOWN, isConnectionWord } from '../../shared/drbd-words.js';

const HOST_WHY: Record<HostBlock, string> = {
  'not-reported': 'has not reported to this controller',
  'not-in-fleet': "is not in this controller's fleet (revoked or never enrolled)",
  unreachable: 'is unreachable (its agent is not connected)',
  stale: 'is stale (its agent has been silent too long)',
  behind: "is behind (its agent's view of its domains is not current: xl list slow or failing)",
  draining: 'is draining',
  maintenance: 'is in maintenance',
  restoring: 'is being restored',
  'no-memory-report': 'reports no memory figures',
  'being-emptied': 'is being emptied too',
  'no-capability': "runs an agent that cannot do this (upgrade it)",
  'other-toolstack': 'runs the other toolstack (xm sends only to a xend relocation server, xl only to a Dom0 without xend)',
  'older-xen': "runs an older Xen release than the domU's Dom0 (the older tools refuse a newer release's migration stream)",
};

export const hostWhy = (host: string, why: HostBlock): string => `${host} ${HOST_WHY[why]}`;

/** One sentence saying why NAME does not move, and what would make it move. */
export function describeBlocker(name: string, b: Blocker): string {
  switch (b.kind) {
    case 'no-config':
      return `${name}: no Dom0 reports a config for it, so its disks and where it may run are unknown`;
    case 'no-replica':
      return `${name}: no other host holds a replica of ${b.resources.length > 0 ? `all of its DRBD resources (${b.resources.join(', ')})` : 'its disks'}`;
    case 'runs-nowhere':
      return `${name} runs nowhere (shut down, or lost with the host it ran on): only a running domU is moved; start it where it belongs once \`xenherdctl where ${name}\` shows it stopped everywhere`;
    case 'state':
      return `${name} is ${b.state}: only a running domU is live-migrated (resume or stop it first)`;
    case 'mid-migration':
      return `${name} is being migrated right now`;
    case 'migration-stranded':
      return b.message;
    case 'running-twice':
      return `${name} runs on ${b.hosts.join(' and ')}: ${SETTLE_TWO_COPIES}`;
    case 'no-memory':
      return `${name} needs ${b.needMiB} MiB + ${b.reserveMiB} MiB reserve${b.best ? `; the most any allowed target has free is ${b.best.freeMiB} MiB (${b.best.host})` : ''}`;
    case 'targets-unavailable':
      return `${name}: every host that could take it is unavailable: ${b.targets.map((t) => hostWhy(t.host, t.why)).join('; ')}`;
    case 'visitor':
      return `${name} is a visitor and can only go back to its home, and ${hostWhy(b.home, b.why)}`;
    case 'drbd-not-ready':
      // "moved", not "live-migrated": --cold-fallback refuses the same DRBD states (jobs/cold-move.ts)
      return `${name} cannot be moved to ${b.target}: DRBD ${b.detail}${drbdWho(b.clearsUp, b.state)}`;
    case 'source-unavailable':
      // restore starts a domU at home only on the word of every host that may hold it; a host gone
      // from the fleet never gives it, and only the home's agent, told by a person, starts it then
      if (b.why === 'not-in-fleet') return `${name}: ${hostWhy(b.host, b.why)}, so what it runs is unknown to this controller; if ${b.host} is gone, \`xenherd-agent autostart start --force ${name} --reason TEXT\` on ${name}'s home starts it there`;
      return `${name}: ${hostWhy(b.host, b.why)}, so it cannot be asked to move it`;
    case 'cooldown':
      return `${name} moved recently; rebalance leaves it where it is until ${hourMinuteUtc(b.untilMs)} (\`xenherdctl reverse ${name}\` brings it home now)`;
    case 'move-limit':
      return moveLimitWords([name], b.limit);
    case 'failed':
      return `${name}: ${b.attempts} attempt${b.attempts === 1 ? '' : 's'} failed (${b.code}: ${b.message}); it still runs where it was`;
    case 'alarm':
      return `ALARM ${name}: ${b.message} (${b.code}); nothing more was done to it`;
    case 'left-to-agent':
      return `${name}: its move ${b.from} → ${b.to} was under way when the controller stopped; it goes on on ${b.from}'s agent, no longer watched here (\`xenherdctl where ${name}\` says where it runs once both report)`;
    case 'not-started':
      return `${name}: not moved, the job ${b.why === 'cancelled' ? 'was cancelled' : b.why === 'timeout' ? 'ran out of time' : b.why === 'paused' ? 'is paused' : 'stopped'} first`;
  }
}

const minutes = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);

/** Whether waiting helps: a dry run's reader cannot tell a resync from a split brain otherwise. */
const drbdWho = (clearsUp: boolean, state: string): string =>
  clearsUp && cutState(state)
    ? ` (DRBD reconnects by itself once the network between the Dom0s is back: a drain or restore under way waits ${minutes(CUT_LINK_SETTLE_MS)} for it once both ends report the link cut, up to ${minutes(TRANSIENT_WAIT_MS)} while one end has not, and a new drain does not start)`
    : clearsUp
    ? ` (DRBD gets there by itself: drain and restore wait up to ${minutes(TRANSIENT_WAIT_MS)} for it)`
    : state === 'StandAlone'
      ? '; then try again (a person must act: see README, section "DRBD split brain")'
      : '; then try again (a person must act: DRBD does not get there by itself)';

export const leftover = (name: string, host: string | null, blocker: Blocker): Leftover => ({ name, host, blocker, message: describeBlocker(name, blocker) });

/**
 * A leftover that may clear up on its own (a migration ending, an agent reconnecting): waited for,
 * not refused. A host not in the fleet reports again only once a person enrolls it: not waited for.
 */
/**
 * A leftover that waits on a Dom0 whose agent link is down right now: the domU's only way out
 * (every target) or its own host. Mid-job that is waited for (an agent restarting, a link
 * blinking); before a drain starts it refuses the drain, which would otherwise take its host out
 * of service and wait minutes for a Dom0 that may be powered off.
 */
export function waitsOnUnreachable(l: Leftover): boolean {
  const b = l.blocker;
  if (b.kind === 'source-unavailable' || b.kind === 'visitor') return b.why === 'unreachable';
  if (b.kind === 'targets-unavailable') return b.targets.length > 0 && b.targets.every((t) => t.why === 'unreachable');
  return false;
}

/** A DRBD state word, as a plan's blocker carries it (8.4's WFConnection or 9's Connecting alike), that says the pair's link is cut. */
export const cutState = (state: string): boolean => isConnectionWord(state) && DRBD_LINK_DOWN.has(state);

/**
 * A leftover whose DRBD pair has lost its link: it comes back only once the network between the
 * Dom0s does (or a person reconnects it), which may be hours. Mid-job a link blinking is waited
 * for; before a drain starts it refuses the drain, as an unreachable Dom0 does, rather than take
 * the host out of service and wait minutes for it.
 */
export function waitsOnCutLink(l: Leftover): boolean {
  return l.blocker.kind === 'drbd-not-ready' && cutState(l.blocker.state);
}

export function mayClearUp(l: Leftover): boolean {
  const b = l.blocker;
  const away = (why: HostBlock): boolean => why === 'unreachable' || why === 'stale' || why === 'not-reported' || why === 'behind';
  if (b.kind === 'mid-migration') return true;
  // a resync ends, a link reconnects (after a Dom0's reboot in a roll, both happen); a split brain waits for a person
  if (b.kind === 'drbd-not-ready') return b.clearsUp;
  if (b.kind === 'state') return b.state === 'dying';
  if (b.kind === 'source-unavailable' || b.kind === 'visitor') return away(b.why);
  // a target without memory figures has not read `xl info` yet (just booted, or its read failed): its next read brings them
  if (b.kind === 'targets-unavailable') return b.targets.length > 0 && b.targets.every((t) => away(t.why) || t.why === 'no-memory-report');
  return false;
}

/** "14:02 UTC"; a time past what a Date holds (an agent's report of a move in year 275760) is said so, not thrown on. */
function hourMinuteUtc(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? 'a time no clock reads (its agent reported the move at an impossible time)' : `${d.toISOString().slice(11, 16)} UTC`;
}
