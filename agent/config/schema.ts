import { isIP } from 'node:net';
import { posix } from 'node:path';
import * as z from 'zod';
import { isLoopbackAddress } from '../../shared/loopback-address.js';
import { HOST_NAME_STRICT_RE, hostNameProblem } from '../../shared/names.js';
import { pastedSpaceHint } from '../../shared/text/pasted-space.js';
import { sharedDirProblem } from './own-dir.js';

/** where the daemon listens for `xenherd-agent autostart` (the unit's RuntimeDirectory) */
export const DEFAULT_CONTROL_SOCKET = '/run/xenherd/agent.sock';

/**
 * /etc/xenherd/agent.json. Every key is optional; the defaults are those of the xen-drbd-auto and xen-migrate scripts it replaces.
 * Paths are host paths (resolved under XENHERD_HOST_ROOT when that is set, as every host file is).
 * Unknown keys are refused: a typo must not silently fall back to a default.
 */
// a control character (a trailing newline pasted in, say) would name another file than the one meant
const hostPath = (example: string) =>
  z
    .string(`must be an absolute path (a string), e.g. ${example}`)
    .startsWith('/', `must be an absolute path, e.g. ${example}`)
    .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), `must not contain control characters (a newline, a tab): remove them, e.g. ${example}`);
/** a path whose directory (the path itself, or the one holding it) xenherd makes private: never a shared one */
const ownDirPath = (example: string, dirOf: (p: string) => string, what: string) =>
  hostPath(example).superRefine((p, ctx) => {
    const problem = sharedDirProblem(dirOf(p), what, example);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
const itself = (p: string): string => p;
const holder = (p: string): string => posix.dirname(p);
const seconds = (what: string, example: number, max = 86_400) =>
  z.number(`must be a number of seconds, e.g. ${example}`).positive(`must be more than 0 (${what}), e.g. ${example}`).max(max, `must be at most ${max} seconds`);

export const AutostartConfigSchema = z.strictObject({
  /** false: decide and report, never start (also `xenherd-agent autostart stop` at run time) */
  enabled: z.boolean('must be true or false').default(true),
  /** how many `xl create` may run at once */
  parallel: z.number('must be a whole number, e.g. 4').int('must be a whole number, e.g. 4').min(1, 'must be at least 1').max(64, 'must be at most 64').default(4),
  /** fallback re-check of a deferred domU when no event arrives (xen-drbd-auto: 5 min ± 60 s) */
  deferRecheckSeconds: seconds('the fallback re-check of deferred domUs', 300).default(300),
  deferJitterSeconds: z.number('must be a number of seconds, e.g. 60').min(0, 'must be 0 or more').max(3600, 'must be at most 3600 seconds').default(60),
  /** a failed `xl create` is retried after this, doubling up to retryMaxSeconds */
  retryInitialSeconds: seconds('the first retry delay after a failed start', 10).default(10),
  retryMaxSeconds: seconds('the longest retry delay after failed starts', 600).default(600),
});

export const EventsConfigSchema = z.strictObject({
  /** "auto": `drbdsetup events2`, polling `drbdadm status` where it is unavailable; "poll": always poll */
  drbd: z.enum(['auto', 'poll'], 'must be "auto" or "poll"').default('auto'),
  /** "auto": `xenstore-watch @introduceDomain @releaseDomain`, polling `xl list` where unavailable */
  domains: z.enum(['auto', 'poll'], 'must be "auto" or "poll"').default('auto'),
  /** polling interval where a watcher is unavailable */
  pollSeconds: seconds('the polling interval where a watcher is unavailable', 10).default(10),
  /** the safety net: a full re-read of the host this often, whatever the events say */
  resyncSeconds: seconds('the periodic full re-read', 60).default(60),
  /** a watcher that exits is respawned after 0.25 s, doubling up to this */
  respawnMaxSeconds: seconds('the longest wait before respawning a watcher', 30).default(30),
});

export const MigrationPeerSchema = z.strictObject({
  /** where to reach the peer's sshd (default: its host name) */
  address: z
    .string('must be a host name or IP address, e.g. "10.0.0.2"')
    .refine((a) => isIP(a) !== 0 || HOST_NAME_STRICT_RE.test(a), 'must be a host name or an IP address without brackets or port (the port is its own key), e.g. "10.0.0.2", "fd00::2" or "xen2.example.org"')
    .optional(),
  port: z.number('must be a TCP port, e.g. 22').int().min(1).max(65535).optional(),
});

/** Each key of `migration.peers` is a Dom0's host name; a wrong one is named by its own key. */
function peerNamesAreHostNames(peers: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  for (const name of Object.keys(peers)) {
    const problem = hostNameProblem(name);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: [name], message: `the peer name ${problem}` });
  }
}

export const MigrationConfigSchema = z.strictObject({
  /** the dedicated private key for reverse migrations (`keys setup` creates it) */
  keyFile: ownDirPath('/etc/xenherd/migrate_key', holder, 'is in').default('/etc/xenherd/migrate_key'),
  /** peers' ssh host keys, OpenSSH known_hosts format; a peer not listed is refused */
  knownHostsFile: hostPath('/etc/xenherd/known_hosts').default('/etc/xenherd/known_hosts'),
  /** a POSIX user name: it goes into the ssh command line as USER@HOST */
  sshUser: z
    .string('must be a user name, e.g. "root"')
    .regex(/^[a-z_][a-z0-9_-]{0,31}\$?$/, 'must be a POSIX user name (lower-case letters, digits, _ and -, starting with a letter or _, at most 32), e.g. "root"')
    .default('root'),
  sshPort: z.number('must be a TCP port, e.g. 22').int().min(1).max(65535).default(22),
  /** per peer host name: address/port overrides */
  peers: z.record(z.string(), MigrationPeerSchema).superRefine(peerNamesAreHostNames).default({}),
  /** xen-migrate's table: domU, peer, options */
  migrateTab: hostPath('/etc/xen/migrate-tab.txt').default('/etc/xen/migrate-tab.txt'),
  /** where domU configs live on every Dom0 (<dir>/<domU>.cfg), used to find a visitor's DRBD resources */
  configDir: hostPath('/etc/xen').default('/etc/xen'),
  drbdConfigDir: hostPath('/etc/drbd.d').default('/etc/drbd.d'),
});

/** The host part of ws://HOST[:PORT] without the brackets of an IPv6 literal. */
const plainHost = (url: string): string => {
  const authority = url.slice('ws://'.length).replace(/\/$/, '');
  const v6 = /^\[([^\]]*)\]/.exec(authority);
  return v6 ? (v6[1] as string) : authority.replace(/:\d*$/, '');
};

const CONTROLLER_URL_SHAPE = /^wss?:\/\/[^\s/]+\/?$/;
// ws:// sends the token in clear: only to a controller on a literal loopback address
const inClearOnlyToLoopback = (url: string): boolean => !url.startsWith('ws://') || isLoopbackAddress(plainHost(url));
const ENROLLED_TOKEN = /^xh1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16,128}$/;

const IN_CLEAR = 'ws:// sends the token in clear: use wss:// (ws:// only to a controller on a loopback address such as 127.0.0.1)';

const ControllerUrlSchema = z
  .string('must be the controller URL, e.g. wss://ctl.example:7443')
  .regex(CONTROLLER_URL_SHAPE, 'must be wss://HOST:PORT (ws:// only to a controller on this host\'s loopback)')
  .refine(inClearOnlyToLoopback, IN_CLEAR);

/**
 * Where this agent reports: what `xenherd-controller enroll HOST` prints. Absent: the agent works
 * alone (guarded autostart by the DRBD rules only).
 */
export const ControllerLinkConfigSchema = z.strictObject({
  url: ControllerUrlSchema,
  /**
   * Controllers sharing this one's CA and token store (a standby started from a copy of its
   * /etc/xenherd and state): when the link to one cannot be made, the next is tried. The
   * controllers are caches of what the agents report, so whichever one the agent reaches knows
   * as much as the other would.
   */
  standbyUrls: z.array(ControllerUrlSchema).max(8, 'at most 8 standby controllers').optional(),
  token: z
    .string('must be the token `xenherd-controller enroll` printed')
    .refine((t) => ENROLLED_TOKEN.test(t), { error: (i) => `must be the token \`xenherd-controller enroll\` printed (xh1.…)${typeof i.input === 'string' ? pastedSpaceHint(i.input) : ''}` }),
  /** the controller's CA certificate file, or its SHA-256 fingerprint (AB:CD:…) */
  caFile: hostPath('/etc/xenherd/controller-ca.crt').optional(),
  caFingerprint: z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint as enroll prints it (AB:CD:… 32 pairs)').optional(),
});

export const AgentConfigSchema = z.strictObject({
  guardedDir: hostPath('/etc/xen/drbd-auto').default('/etc/xen/drbd-auto'),
  /** absent: detected (xm when xend answers, else xl) */
  toolstack: z.enum(['xl', 'xm'], 'must be "xl" or "xm" (or leave it out to detect)').optional(),
  stateDir: ownDirPath('/var/lib/xenherd', itself, 'is').default('/var/lib/xenherd'),
  controlSocket: ownDirPath(DEFAULT_CONTROL_SOCKET, holder, 'is in').default(DEFAULT_CONTROL_SOCKET),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'must be one of fatal, error, warn, info, debug, trace').default('info'),
  autostart: AutostartConfigSchema.default(AutostartConfigSchema.parse({})),
  events: EventsConfigSchema.default(EventsConfigSchema.parse({})),
  migration: MigrationConfigSchema.default(MigrationConfigSchema.parse({})),
  controller: ControllerLinkConfigSchema.optional(),
});

export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

export const DEFAULT_CONFIG_PATH = '/etc/xenherd/agent.json';
