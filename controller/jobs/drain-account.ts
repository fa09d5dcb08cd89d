import type { Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { leftDown, whereTheyRan } from '../plan/left-down.js';
import { remainingText } from './job-env.js';
import type { FleetPort } from './port.js';
import { heldElsewhere, unsettledMoves } from './unsettled-moves.js';

/**
 * What a drain of HOSTS leaves, told true at whatever ending (a drain, a roll's drain of a group):
 * each leftover of its moves where it is now, the moves that counted but a ledger keeps as an
 * ALARM, and the guarded domUs of HOSTS that run nowhere (plan/left-down.ts). Without it an ending
 * says "remains on xen1" of a domU that runs on xen2 (or nowhere) under an ALARM, lists no ALARM of a move that
 * counted when the job was cancelled, and a roll ends "every domU is home" with one lost with its
 * Dom0 mid-copy.
 */
export interface DrainAccount {
  /** the moves' leftovers that stay where the drain found them (or whose place is the ALARM's to say) */
  readonly remain: readonly Leftover[];
  /** moves that ended as an ALARM while the domU runs on another Dom0 (unsettled-moves.ts heldElsewhere) */
  readonly held: readonly Leftover[];
  /** moves that ended as an ALARM while the domU runs nowhere: not on HOSTS either (heldElsewhere, host null) */
  readonly nowhere: readonly Leftover[];
  /** moves that counted, but that a ledger keeps as an ALARM */
  readonly alarms: readonly Leftover[];
  /** guarded domUs of HOSTS that run nowhere now */
  readonly down: readonly Leftover[];
}

export interface DrainWatch {
  /** whether NAME ran (on one of HOSTS, or homed there and elsewhere) when the drain began: one lost since was lost during it */
  ranWhenBegun(name: string): boolean;
  /** the account now: END is the scheduler's (its moves and leftovers); RESUMES, whether the job continues an earlier drain of that host */
  accountOf(end: { readonly moved: readonly Move[]; readonly leftovers: readonly Leftover[] }, resumes: (host: string) => boolean): DrainAccount;
}

/** Reads where the domUs of HOSTS run now (call it as the drain begins), to name one lost later with the place it was lost. */
export function watchDrain(port: FleetPort, hosts: readonly string[]): DrainWatch {
  const f0 = port.facts();
  const ranAt = new Map(hosts.map((h) => [h, whereTheyRan(f0, h)]));
  return {
    ranWhenBegun: (name) => [...ranAt.values()].some((m) => m.has(name)),
    accountOf: (end, resumes) => {
      const remain: Leftover[] = [];
      const held: Leftover[] = [];
      const nowhere: Leftover[] = [];
      for (const l of end.leftovers) {
        const h = heldElsewhere(port, hosts, l);
        if (h === null) remain.push(l);
        else (h.host === null ? nowhere : held).push(h);
      }
      const named = new Set(end.leftovers.map((l) => l.name));
      const alarms = unsettledMoves(port, end.moved, named);
      for (const a of alarms) named.add(a.name);
      const facts = port.facts();
      const movedTo = new Map(end.moved.map((m) => [m.name, m.to]));
      const down: Leftover[] = [];
      for (const h of hosts) {
        for (const l of leftDown(facts, h, { ranAt: ranAt.get(h) ?? new Map(), movedTo, named, resumes: resumes(h) })) {
          named.add(l.name);
          down.push(l);
        }
      }
      return { remain, held, nowhere, alarms, down };
    },
  };
}

/**
 * Whether HOSTS keep nothing of the drain: no leftover remains there, and each move that left under
 * an ALARM is one a ledger keeps. That record holds the domU (no autostart, no plan) until a person
 * settles it, whatever the host's state, so the host is not kept draining for it. An ALARM only
 * this job saw is kept with the host draining: a drain run again names it.
 */
export const nothingRemains = (port: FleetPort, a: DrainAccount): boolean => {
  const f = port.facts();
  return a.remain.length === 0 && [...a.held, ...a.nowhere].every((l) => (f.domu(l.name)?.unsettled.length ?? 0) > 0);
};

/** Every leftover of the account, for the ending's `remaining`. */
export const accounted = (a: DrainAccount): Leftover[] => [...a.remain, ...a.held, ...a.nowhere, ...a.alarms, ...a.down];

/** "N guarded domU(s) of HOST run nowhere: …"; empty for none. */
export const downText = (hosts: readonly string[], down: readonly Leftover[]): string => (down.length === 0 ? '' : `${down.length} guarded domU(s) of ${hosts.join(', ')} run nowhere: ${remainingText(down)}`);

/** "N move(s) ended in an ALARM a ledger keeps: …"; empty for none. */
export const alarmText = (alarms: readonly Leftover[]): string => (alarms.length === 0 ? '' : `${alarms.length} move(s) ended in an ALARM a ledger keeps: ${remainingText(alarms)}`);

/** "N domU(s) left HOST under an unsettled ALARM: NAME runs on …"; empty for none. */
export const heldText = (hosts: readonly string[], held: readonly Leftover[]): string => (held.length === 0 ? '' : `${held.length} domU(s) left ${hosts.join(', ')} under an unsettled ALARM: ${remainingText(held)}`);

/** "N domU(s) of HOST run nowhere under an unsettled ALARM: NAME runs nowhere, …"; empty for none. */
export const nowhereText = (hosts: readonly string[], nowhere: readonly Leftover[]): string =>
  nowhere.length === 0 ? '' : `${nowhere.length} domU(s) of ${hosts.join(', ')} run nowhere under an unsettled ALARM: ${remainingText(nowhere)}`;

/** The moves that ended as an ALARM and left HOSTS (held, nowhere), one part each; empty for none. */
export const leftUnderAlarm = (hosts: readonly string[], a: DrainAccount): string[] => [heldText(hosts, a.held), nowhereText(hosts, a.nowhere)].filter((x) => x !== '');

/** What the account names beyond its leftovers that remain, one part each; empty for none. */
export const beyondRemain = (hosts: readonly string[], a: DrainAccount): string[] => [...leftUnderAlarm(hosts, a), alarmText(a.alarms), downText(hosts, a.down)].filter((x) => x !== '');
