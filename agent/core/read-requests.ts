import type { AgentState, ReadState } from './state.js';
import type { Fx } from './timers.js';

/**
 * The two reads many events ask for — the whole host, and `xl list` alone — coalesced: while one
 * runs, asking again makes exactly one more run after it, so a change seen during a read is never
 * missed and reads never pile up.
 */
const ask = (r: ReadState): { read: ReadState; start: boolean } => (r.running ? { read: { ...r, again: true }, start: false } : { read: { ...r, running: true }, start: true });

/**
 * Whether a full read runs `xl info`: the first needs the host's name, unless its record gave it
 * (then READY asks: host-name-record.ts); later ones only for the memory figures a controller
 * plans with, or while the name still waits for its `xl info`. Each is a process spawned.
 */
const readsInfo = (s: AgentState): boolean => (s.fullRead.done === 0 ? !s.hostToConfirm : s.link.configured || s.hostToConfirm);

export const readFullEffect = (s: AgentState): Fx[number] => ({ e: 'read-full', config: s.config, host: s.host, toolstack: s.toolstack, pollDrbd: s.drbd.watcher.mode === 'polling', recheckDrbdTools: s.drbd.availability === 'tools-missing', readInfo: readsInfo(s) });

export function requestFullRead(s: AgentState, fx: Fx): AgentState {
  if (s.phase === 'stopping' || s.phase === 'stopped') return s;
  const a = ask(s.fullRead);
  if (a.start) fx.push(readFullEffect(s));
  return { ...s, fullRead: a.read };
}

/** `xl list` again; before the toolstack is known the next full read reads it. */
export function requestList(s: AgentState, fx: Fx): AgentState {
  if (s.toolstack === null || s.phase === 'stopping' || s.phase === 'stopped') return s;
  const a = ask(s.listRead);
  if (a.start) fx.push({ e: 'read-domains', toolstack: s.toolstack });
  return { ...s, listRead: a.read };
}
