import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { splitLines } from './tool-lines.js';
import {
  isConnectionWord,
  isDisk,
  isRole,
  type DrbdConnectionWord,
  type DrbdDiskState,
  type DrbdRole,
} from '../../shared/drbd-words.js';

/**
 * `drbdadm role|cstate|dstate R`: one line per answer.
 *  - 8.4 (drbdsetup-84 role_scmd/cstate_scmd/dstate_scmd, one call per minor, so one line per
 *    volume): `Secondary/Unknown`, `WFConnection`, `UpToDate/DUnknown`, or `Unconfigured` when the
 *    minor exists but is StandAlone and Diskless.
 *  - 9 (user/v9/drbdsetup.c role_cmd, peer_role_cmd, cstate_cmd, dstate_cmd): `role R` prints the
 *    local role only, `role R:PEER` the peer's; `cstate` runs once per connection (one line per
 *    peer); `dstate` prints `Local/Peer1/Peer2…` per volume (local first, then every peer).
 * Blank lines are not part of the grammar and are rejected, as is an empty output: an answer
 * that says nothing must not read as a state.
 */

export type DrbdRoleLine =
  | { readonly kind: 'roles'; readonly local: DrbdRole; readonly peer: DrbdRole | null }
  | { readonly kind: 'unconfigured' };

export type DrbdCstateLine = { readonly kind: 'cstate'; readonly state: DrbdConnectionWord } | { readonly kind: 'unconfigured' };

export type DrbdDstateLine =
  | { readonly kind: 'disks'; readonly local: DrbdDiskState; readonly peers: readonly DrbdDiskState[] }
  | { readonly kind: 'unconfigured' };

const UNCONFIGURED = 'Unconfigured';

function eachLine<T>(
  tool: string,
  text: string,
  expected: string,
  one: (line: string) => T | null,
): Result<T[], ParseFailure> {
  // One trailing newline ends the last line; it is not an extra (empty) answer.
  const lines = splitLines(text);
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) return err(parseFailure(tool, 0, text, expected));
  const out: T[] = [];
  for (const [i, line] of lines.entries()) {
    const v = one(line);
    if (v === null) return err(parseFailure(tool, i + 1, line, expected));
    out.push(v);
  }
  return ok(out);
}

export function parseDrbdRole(text: string): Result<DrbdRoleLine[], ParseFailure> {
  return eachLine('drbdadm role', text, 'Primary|Secondary|Unknown, optionally /PeerRole, or Unconfigured', (line) => {
    if (line === UNCONFIGURED) return { kind: 'unconfigured' };
    const parts = line.split('/');
    if (parts.length > 2) return null;
    const [local, peer] = parts;
    if (local === undefined || !isRole(local)) return null;
    if (peer === undefined) return { kind: 'roles', local, peer: null };
    return isRole(peer) ? { kind: 'roles', local, peer } : null;
  });
}

export function parseDrbdCstate(text: string): Result<DrbdCstateLine[], ParseFailure> {
  return eachLine('drbdadm cstate', text, 'a DRBD connection state or Unconfigured', (line) => {
    if (line === UNCONFIGURED) return { kind: 'unconfigured' };
    return isConnectionWord(line) ? { kind: 'cstate', state: line } : null;
  });
}

export function parseDrbdDstate(text: string): Result<DrbdDstateLine[], ParseFailure> {
  return eachLine('drbdadm dstate', text, 'Local/Peer disk states (e.g. UpToDate/DUnknown) or Unconfigured', (line) => {
    if (line === UNCONFIGURED) return { kind: 'unconfigured' };
    const parts = line.split('/');
    const [local, ...peers] = parts;
    if (local === undefined || !isDisk(local)) return null;
    const typed: DrbdDiskState[] = [];
    for (const p of peers) {
      if (!isDisk(p)) return null;
      typed.push(p);
    }
    return { kind: 'disks', local, peers: typed };
  });
}
