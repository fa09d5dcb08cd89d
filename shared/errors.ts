import * as z from 'zod';

/**
 * The one catalog of xenherd error codes. Codes are stable: they travel over the wire, appear in
 * logs and JSON output, and map to process exit codes. docs/errors.md documents every code; a
 * test keeps the two in sync.
 */
export const ERROR_CATALOG = {
  XH_ERR_USAGE: { exit: 64, summary: 'The command line is wrong (unknown option, missing argument).' },
  XH_ERR_CONFIG: { exit: 78, summary: 'A configuration file or setting is invalid.' },
  XH_ERR_TOOL_NOT_FOUND: { exit: 69, summary: 'An external tool (xl, xm, drbdadm, ...) is not installed or not on PATH.' },
  XH_ERR_TOOL_FAILED: { exit: 70, summary: 'An external tool exited non-zero or was killed by a signal.' },
  XH_ERR_TOOL_TIMEOUT: { exit: 75, summary: 'An external tool did not finish in time and was killed.' },
  XH_ERR_TOOL_OUTPUT: { exit: 65, summary: 'An external tool printed output xenherd cannot read (garbled, truncated, or an unknown format).' },
  XH_ERR_FILE: { exit: 74, summary: 'A file could not be read or written.' },
  XH_ERR_AGENT_UNREACHABLE: { exit: 76, summary: 'The agent daemon is not running on this host, or its control socket cannot be reached.' },
  XH_ERR_REFUSED: { exit: 77, summary: 'The request was refused as unsafe or not applicable (e.g. forcing a start that a peer Primary forbids).' },
  XH_ERR_LEDGER_CORRUPT: { exit: 79, summary: 'The migration ledger is unreadable or fails its schema; the agent refuses to guess (ledger.json.bak keeps the last good copy).' },
  XH_ERR_COMMAND_REJECTED: { exit: 80, summary: 'A forced-command request (SSH_ORIGINAL_COMMAND) is not in the migrate2 grammar; nothing was run.' },
  XH_ERR_LOCKED: { exit: 81, summary: 'Another migration of this domU (or a ledger write) holds its lock.' },
  XH_ERR_MIGRATION_FAILED: { exit: 82, summary: 'The migration failed before the target took over; the domU still runs at the source and the ledger is unchanged.' },
  XH_ERR_MIGRATION_UNKNOWN: { exit: 83, summary: 'ALARM: the migration ended in an undefined state and the domU runs on neither or both hosts; nothing was guessed.' },
  XH_ERR_PEER_UNREACHABLE: { exit: 84, summary: 'The peer Dom0 could not be reached over ssh.' },
  XH_ERR_LEDGER_MISMATCH: { exit: 85, summary: 'The ledger and `xl list` disagree about a domU; the mismatches are listed, nothing was rewritten.' },
  XH_ERR_MIGRATION_PARTIAL: { exit: 86, summary: 'The domU moved, but the second half of the migration (telling the other Dom0, recording it) did not complete.' },
  XH_ERR_CONTROLLER_UNREACHABLE: { exit: 87, summary: 'The xenherd controller could not be reached (connection refused, TLS failure, timeout).' },
  XH_ERR_AUTH: { exit: 88, summary: 'The controller refused the token: unknown, wrong role for the request, or bound to another host.' },
  XH_ERR_PROTOCOL: { exit: 89, summary: 'A peer spoke a protocol version or message this side does not understand.' },
  XH_ERR_TIMEOUT: { exit: 90, summary: 'An operation did not reach its goal within the time it was given.' },
  XH_ERR_NOT_FOUND: { exit: 1, summary: 'Nothing matched (e.g. `xenherdctl where` found no domU by that name or pattern).' },
  XH_ERR_INTERNAL: { exit: 71, summary: 'A bug in xenherd: please report it with the log.' },
  XH_ERR_AGENT_LINK_LOST: { exit: 91, summary: "An agent's link to the controller closed while it ran a command: the controller does not know the outcome." },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;

const CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];
/** A code on the wire (control socket, peer protocol, agent link): only the catalog's. */
export const ErrorCodeSchema = z.enum(CODES);

export const exitCodeFor = (code: ErrorCode): number => ERROR_CATALOG[code].exit;

/** A code read from outside (a control-socket answer, a stored problem) that is one of ours. */
export const isErrorCode = (c: string): c is ErrorCode => Object.prototype.hasOwnProperty.call(ERROR_CATALOG, c);

/** What every typed failure carries at least: a stable code and a sentence for a person. */
export interface XhError {
  readonly code: ErrorCode;
  readonly message: string;
}
