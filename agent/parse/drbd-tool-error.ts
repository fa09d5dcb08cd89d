import { splitLines } from './tool-lines.js';

/**
 * What a failed drbdadm/drbdsetup run means, read from its stderr (exit codes alone are
 * ambiguous: 10 is "no such object" and many other refusals). Strings are the tools' own:
 *  - `'r9' not defined in your config (for this host).` — drbdadm (v84 and v9 drbdadm_main.c),
 *    exit 1 (E_USAGE), when the resource is not in drbd.conf for this host; 8.3's drbdadm
 *    says `'r9' not defined in your config.`
 *  - `r0: No such resource` — drbdsetup status (v84 and v9 status_cmd), exit 10, when the
 *    resource is configured but not up in the kernel. drbdadm adds
 *    `Command 'drbdsetup status r0' terminated with exit code 10`.
 *  - `r0: Unknown resource` — v9 role_cmd (error_to_string(ERR_RES_NOT_KNOWN)), exit 10; a v9
 *    state change (e.g. secondary) of a resource that is down says `r0: Failure: (158) Unknown
 *    resource` (print_config_error).
 *  - `r0: No such connection` / `r0: No such device` — v9 cstate_cmd, peer_role_cmd, dstate_cmd,
 *    exit 10 (resource up without that connection or minor).
 *  - `0: Failure: (127) Device minor not allocated` — drbdsetup-84 (print_config_error with
 *    ERR_MINOR_INVALID), exit 10: the 8.4 way of saying "not up".
 *  - `unrecognized option '--json'` — getopt in an 8.4 drbdsetup (`status: …` or
 *    `drbdsetup: …` depending on the binary), exit 20: JSON status is not supported.
 *  - the module is not loaded and cannot be (all exit 20; availability "module-not-loaded"):
 *    `Failed to modprobe drbd (…)` — v9 drbdsetup_linux.c modprobe_drbd;
 *    `Could not stat /proc/drbd: …` + `Make sure that the DRBD kernel module is installed and
 *    can be loaded!` — v84 drbdsetup.c and v9 modprobe_drbd (drbd 8.4.4+ userland), also with a
 *    root prefix before /proc in some builds;
 *    `Could not stat("/proc/drbd"): …` + `do you need to load the module?` — DRBD 8.3 and
 *    8.4.0-8.4.3 userland (is_drbd_driver_missing);
 *    `Could not get drbd-module-version, Module not loaded?` — v9 drbdadm_parser.c, for a
 *    config that requires a module version.
 *  - `Could not connect to 'drbd' generic netlink family` — v84/v9 drbdsetup main, exit 20:
 *    /proc/drbd exists but the module offers no netlink interface these tools speak.
 *  - `??: Failure: (162) Invalid configuration request` + `additional info from kernel:` +
 *    `unknown connection` — drbdsetup-84 disconnect of a resource that is already StandAlone,
 *    exit 10 (real 8.4.11 lab capture).
 *  - `No valid meta data found` — drbdmeta (via drbdadm dstate of a down resource, which reads
 *    the on-disk metadata), exit 1, when create-md was never run (real 8.4.11 lab capture).
 *  - `r0: State change failed: (N) text` — print_config_error (v84 and v9 drbdsetup.c), exit 11
 *    (17 for -2): the kernel refused a role/connection/disk change. N is the SS_* code of
 *    drbd.h, the same in 8.4 and 9 for the ones named here (drbd_strings.c):
 *    -12 `Device is held open by someone` (demote/down while mounted or opened, e.g. by a
 *    running domU or multipathd), -1 `Multiple primaries not allowed by config` (promote while
 *    the peer is Primary without allow-two-primaries), -2 `Need access to UpToDate data`,
 *    -7 `Refusing to be Primary while peer is not outdated`, -10 `State change was refused by
 *    peer node`; any other code is a plain state-change failure.
 *  - `drbdadm: Unknown command 'status'` — the 8.4 drbdadm (drbdadm-84, which the drbdadm of
 *    drbd-utils 8.9.0 to 9.0.x hands every command to when the kernel module is 8.4; the program
 *    name is whatever drbdadm was called as, so `drbdadm-84: …` when run directly), exit 1
 *    (E_USAGE), printed before the config is read: that drbdadm has no `status` (it came to the
 *    8.4 side in drbd-utils 9.1.0). Its drbdsetup has `status` from drbd-utils 8.9.2, with the
 *    same output, so the adapter reads with that instead.
 */
export type DrbdToolErrorKind =
  | 'not-in-config'
  | 'not-up'
  | 'no-such-connection'
  | 'no-such-device'
  | 'json-unsupported'
  | 'module-missing'
  | 'netlink-unavailable'
  | 'no-metadata'
  | 'device-in-use'
  | 'two-primaries-refused'
  | 'no-uptodate-data'
  | 'peer-not-outdated'
  | 'refused-by-peer'
  | 'state-change-failed'
  | 'no-status-command';

/** Why a read went to `drbdsetup status` (for messages about a host where that happened). */
export const NO_STATUS_COMMAND_WORDS = 'this drbdadm has no `status` (drbd-utils before 9.1 with DRBD 8.4): read with drbdsetup status';

const RULES: ReadonlyArray<readonly [RegExp, DrbdToolErrorKind]> = [
  [/^'[^'\n]*' not defined in your config(?: \(for this host\))?\.$/m, 'not-in-config'],
  [/^\S+: No such resource$/m, 'not-up'],
  [/^\S+: (?:Failure: \(158\) )?Unknown resource$/m, 'not-up'],
  [/^\d+: Failure: \(127\) Device minor not allocated$/m, 'not-up'],
  [/^\S+: No such connection$/m, 'no-such-connection'],
  [/^\S+: No such device$/m, 'no-such-device'],
  [/^additional info from kernel:\nunknown connection$/m, 'no-such-connection'],
  [/unrecognized option '--json'$/m, 'json-unsupported'],
  [/^Failed to modprobe drbd\b/m, 'module-missing'],
  [/^Could not stat \S*\/proc\/drbd: /m, 'module-missing'],
  [/^Could not stat\("\S*\/proc\/drbd"\): /m, 'module-missing'],
  [/^Could not get drbd-module-version, Module not loaded\?$/m, 'module-missing'],
  [/^Could not connect to 'drbd' generic netlink family$/m, 'netlink-unavailable'],
  [/^No valid meta data found$/m, 'no-metadata'],
  // only `status`: any other unknown command is our mistake, not this host's version
  [/^[\w.-]+: Unknown command 'status'$/m, 'no-status-command'],
];

/** `State change failed: (N)` codes with a kind of their own (drbd.h enum drbd_state_rv). */
const STATE_CHANGE_KINDS: Readonly<Record<string, DrbdToolErrorKind>> = {
  '-12': 'device-in-use',
  '-1': 'two-primaries-refused',
  '-2': 'no-uptodate-data',
  '-7': 'peer-not-outdated',
  '-10': 'refused-by-peer',
};
const STATE_CHANGE_RE = /State change failed: \((-?\d{1,4})\)/;

/** The first matching kind, or null when stderr says something else (treat as a plain tool failure). */
export function classifyDrbdStderr(stderr: string): DrbdToolErrorKind | null {
  const text = splitLines(stderr).join('\n');
  for (const [re, kind] of RULES) if (re.test(text)) return kind;
  const code = STATE_CHANGE_RE.exec(text)?.[1];
  if (code !== undefined) return STATE_CHANGE_KINDS[code] ?? 'state-change-failed';
  return null;
}
