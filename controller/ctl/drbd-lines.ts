import { connectionAsPrinted } from '../../shared/drbd-words.js';
import type { DrbdAnswer, DrbdPeerView, DrbdResourceView, DrbdSide } from '../../shared/protocol/ctl-drbd.js';
import { printable } from '../../shared/text/printable.js';
import { table } from './format.js';

/** Names as people number them (xen2 before xen10), as the controller sorts them. */
const byName = new Intl.Collator(undefined, { numeric: true }).compare;

/** One pattern of `drbd P1 P2 ...` and the controller's answer to it (null: no pattern, every resource). */
export interface DrbdAsked {
  readonly pattern: string | null;
  readonly answer: DrbdAnswer;
}

/** The answers to every pattern read as one: each resource once, sorted by name; the patterns that matched nothing. */
export function mergeDrbd(asked: readonly DrbdAsked[]): { resources: DrbdResourceView[]; unmatched: string[] } {
  const seen = new Map<string, DrbdResourceView>();
  for (const a of asked) {
    for (const r of a.answer.resources) {
      const key = `${r.name}@${r.sides.map((s) => s.host).join(',')}`;
      if (!seen.has(key)) seen.set(key, r);
    }
  }
  const resources = [...seen.values()].sort((a, b) => byName(a.name, b.name) || byName(a.sides[0]?.host ?? '', b.sides[0]?.host ?? ''));
  const unmatched = asked.filter((a) => a.pattern !== null && a.answer.resources.length === 0).map((a) => a.pattern as string);
  return { resources, unmatched };
}

/** What `drbd --json` prints: one answer as the controller sent it; several, one object with "patterns" and "unmatched". */
export function drbdJson(asked: readonly DrbdAsked[]): unknown {
  const only = asked.length === 1 ? asked[0] : undefined;
  if (only !== undefined) return only.answer;
  const m = mergeDrbd(asked);
  return { at: Math.max(...asked.map((a) => a.answer.at)), patterns: asked.map((a) => a.pattern), resources: m.resources, unmatched: m.unmatched };
}

/** "xen1 Primary/UpToDate", "xen2 down", "xen2 -" (reports nothing of it), "(stale)" for a Dom0 not heard now */
function sideText(s: DrbdSide): string {
  const state = !s.reported ? '-' : s.role === null ? 'down' : `${s.role}/${s.disk ?? '?'}`;
  return `${s.host} ${state}${s.reported && !s.reachable ? ' (stale)' : ''}`;
}

/**
 * A peer's link as its own DRBD prints it (shared/drbd-words.ts connectionAsPrinted: 8.4's one
 * word, e.g. WFConnection or SyncSource); DRBD 9 keeps a resync in the replication word, shown after a "/".
 */
function linkText(p: DrbdPeerView): string {
  if (p.connection === null) return '?';
  const shown = connectionAsPrinted(p.name, p.connection, p.replication);
  const resync = p.name !== 'peer' && p.connection === 'Connected' && p.replication !== null && p.replication !== 'Established' && p.replication !== 'Off';
  return resync ? `${shown}/${p.replication}` : shown;
}

/**
 * Each side's word for its connection: "xen1 Connected"; with several peers "xen1 (xen2 Connected,
 * xen3 Connecting)"; "(stale)" after a Dom0 not heard now, as in the sides: a powered-off Dom0's
 * last "Connected" read as a link up.
 */
function connectionText(sides: readonly DrbdSide[]): string {
  const parts: string[] = [];
  for (const s of sides) {
    if (!s.reported || s.role === null) continue;
    const stale = s.reachable ? '' : ' (stale)';
    const [only, ...more] = s.peers;
    if (only === undefined) parts.push(`${s.host} StandAlone${stale}`);
    else if (more.length === 0) parts.push(`${s.host} ${linkText(only)}${stale}`);
    else parts.push(`${s.host} (${s.peers.map((p) => `${p.name} ${linkText(p)}`).join(', ')})${stale}`);
  }
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** The table `xenherdctl drbd` prints: a header, then one line per resource. */
export function drbdTable(resources: readonly DrbdResourceView[]): string {
  return table([
    ['RESOURCE', 'DOMU', 'SIDES', 'CONNECTION', 'FLAGS'],
    ...resources.map((r) => [r.name, r.domus.length > 0 ? r.domus.join(',') : '-', r.sides.map(sideText).join(', '), connectionText(r.sides), r.flags.length > 0 ? r.flags.map((f) => f.text).join('; ') : r.ok ? 'ok' : '-'].map(printable)),
  ]);
}
