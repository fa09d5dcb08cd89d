import type { ToolstackComplaint } from './xl-stderr.js';
import { splitLines } from './tool-lines.js';

/**
 * The xenstore tools' (xenstore-read, -write, -watch) complaint when they cannot open xenstore at
 * all: xenstore_client.c `err(1, "xs_open")` (xs_daemon_open or xs_domain_open before xs_open
 * took their place), printed as `xenstore-watch: xs_open: No such file or directory` with exit 1.
 * ENOENT (no socket, no xenbus device) or ECONNREFUSED (a socket left by a dead xenstored): it is
 * not running; EACCES: the socket is root's alone. Said in the toolstack's words for the same
 * failure of xl (xl-stderr.ts), so the agent names xenstored whichever tool met it first.
 */
const XS_OPEN_RE = /^xenstore-[a-z]+: (?:xs_open|xs_daemon_open|xs_domain_open): (.+)$/;

/** Why a xenstore tool could not open xenstore: the same stops xl, and so polling `xl list`. */
export type XenstoreOpenFailure = 'xenstore-down' | 'need-root';

export function classifyXenstoreStderr(stderr: string): Extract<ToolstackComplaint, { kind: XenstoreOpenFailure }> | null {
  const reason = splitLines(stderr).map((l) => XS_OPEN_RE.exec(l.trim())?.[1]).find((r) => r !== undefined);
  if (reason === undefined) return null;
  return reason === 'Permission denied' ? { kind: 'need-root' } : { kind: 'xenstore-down', reason };
}
