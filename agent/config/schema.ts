import { z } from 'zod';

/**
 * /etc/xenherd/agent.json. Every key is optional; the defaults are a Dom0 as seed 002 knew it.
 * Paths are host paths (resolved under XENHERD_HOST_ROOT when that is set, as every host file is).
 * Unknown keys are refused: a typo must not silently fall back to a default.
 */
const hostPath = (example: string) => z.string(`must be an absolute path (a string), e.g. ${example}`).startsWith('/', `must be an absolute path, e.g. ${example}`);
const seconds = (what: string, example: number, max = 86_400) =>
  z.number(`must be a number of seconds, e.g. ${example}`).positive(`must be more than 0 (${what}), e.g. ${example}`).max(max, `must be at most ${max} seconds`);

export const AutostartConfigSchema = z
  .object({
    /** false: decide and report, never start (also `xenherd-agent autostart stop` at run time) */
    enabled: z.boolean('must be true or false').default(true),
    /** how many `xl create` may run at once */
    parallel: z.number('must be a whole number, e.g. 4').int('must be a whole number, e.g. 4').min(1, 'must be at least 1').max(64, 'must be at most 64').default(4),
    /** fallback re-check of a deferred domU when no event arrives (seed 002: 5 min ± 60 s) */
    deferRecheckSeconds: seconds('the fallback re-check of deferred domUs', 300).default(300),
    deferJitterSeconds: z.number('must be a number of seconds, e.g. 60').min(0, 'must be 0 or more').max(3600, 'must be at most 3600 seconds').default(60),
    /** a failed `xl create` is retried after this, doubling up to retryMaxSeconds */
    retryInitialSeconds: seconds('the first retry delay after a failed start', 10).default(10),
    retryMaxSeconds: seconds('the longest retry delay after failed starts', 600).default(600),
  })
  .strict();

export const EventsConfigSchema = z
  .object({
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
  })
  .strict();

export const MigrationPeerSchema = z
  .object({
    /** where to reach the peer's sshd (default: its host name) */
    address: z.string('must be a host name or IP address').min(1).optional(),
    port: z.number('must be a TCP port, e.g. 22').int().min(1).max(65535).optional(),
  })
  .strict();

export const MigrationConfigSchema = z
  .object({
    /** the dedicated private key for reverse migrations (`keys setup` creates it) */
    keyFile: hostPath('/etc/xenherd/migrate_key').default('/etc/xenherd/migrate_key'),
    /** peers' ssh host keys, OpenSSH known_hosts format; a peer not listed is refused */
    knownHostsFile: hostPath('/etc/xenherd/known_hosts').default('/etc/xenherd/known_hosts'),
    sshUser: z.string().min(1).default('root'),
    sshPort: z.number('must be a TCP port, e.g. 22').int().min(1).max(65535).default(22),
    /** per peer host name: address/port overrides */
    peers: z.record(z.string(), MigrationPeerSchema).default({}),
    /** seed 002's table: domU, peer, options */
    migrateTab: hostPath('/etc/xen/migrate-tab.txt').default('/etc/xen/migrate-tab.txt'),
    /** where domU configs live on every Dom0 (<dir>/<domU>.cfg), used to find a visitor's DRBD resources */
    configDir: hostPath('/etc/xen').default('/etc/xen'),
    drbdConfigDir: hostPath('/etc/drbd.d').default('/etc/drbd.d'),
  })
  .strict();

export const AgentConfigSchema = z
  .object({
    guardedDir: hostPath('/etc/xen/drbd-auto').default('/etc/xen/drbd-auto'),
    /** absent: detected (xm when xend answers, else xl) */
    toolstack: z.enum(['xl', 'xm'], 'must be "xl" or "xm" (or leave it out to detect)').optional(),
    stateDir: hostPath('/var/lib/xenherd').default('/var/lib/xenherd'),
    controlSocket: hostPath('/run/xenherd/agent.sock').default('/run/xenherd/agent.sock'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'must be one of fatal, error, warn, info, debug, trace').default('info'),
    autostart: AutostartConfigSchema.default(AutostartConfigSchema.parse({})),
    events: EventsConfigSchema.default(EventsConfigSchema.parse({})),
    migration: MigrationConfigSchema.default(MigrationConfigSchema.parse({})),
  })
  .strict();

export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

export const DEFAULT_CONFIG_PATH = '/etc/xenherd/agent.json';
