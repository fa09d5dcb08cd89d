import type { InventoryDomain } from '../../shared/inventory.js';

/**
 * The six state letters of `xl list` / `xm list` and what xenherd makes of them.
 *
 * xl (tools/xl/xl_info.c list_domains, Xen 4.1 … 4.22; tools/libxl/xl_cmdimpl.c before 4.8):
 *   1 `r` running · 2 `b` blocked · 3 `p` paused · 4 `s` shutdown ·
 *   5 shutdown reason, from `"-rscwS"` indexed by libxl_shutdown_reason, printed only when the
 *     domain is shut down (otherwise index 0, `-`): `-` poweroff, `r` reboot, `s` suspend,
 *     `c` crash, `w` watchdog, `S` soft reset (added in 4.6), `?` anything else ·
 *   6 `d` dying.
 * xm (xend XendConfig._get_old_state_string): one letter per flag of
 *   ('running','blocked','paused','shutdown','crashed','dying'), so the 5th is a crash *flag*.
 */
export type DomainState = InventoryDomain['state'];
export type ShutdownReason = NonNullable<InventoryDomain['shutdownReason']>;

export const XL_STATE_RE = /^[r-][b-][p-][s-][-rscwS?][d-]$/;
export const XM_STATE_RE = /^[r-][b-][p-][s-][c-][d-]$/;

const XL_REASONS: Readonly<Record<string, ShutdownReason>> = {
  r: 'reboot',
  s: 'suspend',
  c: 'crash',
  w: 'watchdog',
  S: 'soft_reset',
};

export interface DecodedState {
  readonly state: DomainState;
  readonly shutdownReason: ShutdownReason | null;
}

/**
 * One state for a row whose flags can combine. Dying wins (the domain is going away whatever
 * else it says), then crash/shutdown (the guest has stopped), then paused, running, blocked; a
 * row with no flag at all is a runnable domain that is neither on a CPU nor blocked: idle.
 */
function pick(letters: string, crashed: boolean): DomainState {
  if (letters[5] === 'd') return 'dying';
  if (crashed) return 'crashed';
  if (letters[3] === 's') return 'shutdown';
  if (letters[2] === 'p') return 'paused';
  if (letters[0] === 'r') return 'running';
  if (letters[1] === 'b') return 'blocked';
  return 'idle';
}

/** Caller has checked `letters` against XL_STATE_RE. */
export function decodeXlState(letters: string): DecodedState {
  const shutdown = letters[3] === 's';
  const reasonLetter = letters[4] ?? '-';
  // '-' in position 5 means "poweroff" only when the shutdown flag is set: xl prints index 0
  // of the reason table for running domains too.
  const shutdownReason: ShutdownReason | null = !shutdown ? null : reasonLetter === '-' ? 'poweroff' : (XL_REASONS[reasonLetter] ?? null);
  return { state: pick(letters, shutdownReason === 'crash'), shutdownReason };
}

/** Caller has checked `letters` against XM_STATE_RE. xend tells a crash apart, no other reason. */
export function decodeXmState(letters: string): DecodedState {
  const crashed = letters[4] === 'c';
  return { state: pick(letters, crashed), shutdownReason: crashed ? 'crash' : null };
}

const MIGRATION_SUFFIXES = [
  ['--incoming', 'incoming'],
  ['--migratedaway', 'migratedaway'],
] as const;

/**
 * libxl names the receiving copy `NAME--incoming` and renames the sender's copy
 * `NAME--migratedaway` (xl_migrate.c) until the handshake ends. A dying domain whose name is
 * already gone from xenstore prints as `(null)` (glibc's rendering of a NULL `%s`).
 */
export function splitDomainName(name: string): Pick<InventoryDomain, 'baseName' | 'migration'> {
  if (name === '(null)') return { baseName: null, migration: null };
  for (const [suffix, migration] of MIGRATION_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) {
      return { baseName: name.slice(0, -suffix.length), migration };
    }
  }
  return { baseName: name, migration: null };
}
