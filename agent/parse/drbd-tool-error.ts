/**
 * What a failed drbdadm/drbdsetup run means, read from its stderr (exit codes alone are
 * ambiguous: 10 is "no such object" and many other refusals). Strings are the tools' own:
 *  - `'r9' not defined in your config (for this host).` — drbdadm (v84 and v9 drbdadm_main.c),
 *    exit 1 (E_USAGE), when the resource is not in drbd.conf for this host.
 *  - `r0: No such resource` — drbdsetup status (v84 and v9 status_cmd), exit 10, when the
 *    resource is configured but not up in the kernel. drbdadm adds
 *    `Command 'drbdsetup status r0' terminated with exit code 10`.
 *  - `r0: Unknown resource` — v9 role_cmd (error_to_string(ERR_RES_NOT_KNOWN)), exit 10.
 *  - `r0: No such connection` / `r0: No such device` — v9 cstate_cmd, peer_role_cmd, dstate_cmd,
 *    exit 10 (resource up without that connection or minor).
 *  - `0: Failure: (127) Device minor not allocated` — drbdsetup-84 (print_config_error with
 *    ERR_MINOR_INVALID), exit 10: the 8.4 way of saying "not up".
 *  - `unrecognized option '--json'` — getopt in an 8.4 drbdsetup (`status: …` or
 *    `drbdsetup: …` depending on the binary), exit 20: JSON status is not supported.
 *  - `Failed to modprobe drbd` — v9 drbdsetup_linux.c modprobe_drbd, exit 20.
 *  - `??: Failure: (162) Invalid configuration request` + `additional info from kernel:` +
 *    `unknown connection` — drbdsetup-84 disconnect of a resource that is already StandAlone,
 *    exit 10 (real 8.4.11 lab capture).
 *  - `No valid meta data found` — drbdmeta (via drbdadm dstate of a down resource, which reads
 *    the on-disk metadata), exit 1, when create-md was never run (real 8.4.11 lab capture).
 */
export type DrbdToolErrorKind =
  | 'not-in-config'
  | 'not-up'
  | 'no-such-connection'
  | 'no-such-device'
  | 'json-unsupported'
  | 'module-missing'
  | 'no-metadata';

const RULES: ReadonlyArray<readonly [RegExp, DrbdToolErrorKind]> = [
  [/^'[^'\n]*' not defined in your config \(for this host\)\.$/m, 'not-in-config'],
  [/^\S+: No such resource$/m, 'not-up'],
  [/^\S+: Unknown resource$/m, 'not-up'],
  [/^\d+: Failure: \(127\) Device minor not allocated$/m, 'not-up'],
  [/^\S+: No such connection$/m, 'no-such-connection'],
  [/^\S+: No such device$/m, 'no-such-device'],
  [/^additional info from kernel:\nunknown connection$/m, 'no-such-connection'],
  [/unrecognized option '--json'$/m, 'json-unsupported'],
  [/^Failed to modprobe drbd\b/m, 'module-missing'],
  [/^No valid meta data found$/m, 'no-metadata'],
];

/** The first matching kind, or null when stderr says something else (treat as a plain tool failure). */
export function classifyDrbdStderr(stderr: string): DrbdToolErrorKind | null {
  for (const [re, kind] of RULES) if (re.test(stderr)) return kind;
  return null;
}
