import * as z from 'zod';
import { DEFAULT_JOB_SETTINGS } from '../jobs/settings.js';
import { isLoopbackAddress } from './loopback.js';
import { ANY_ADDRESS } from './listen-address.js';

/** `migrations` when the config says nothing: the job executor's own defaults, in the config's units */
const MIGRATION_DEFAULTS = {
  maxPerSource: DEFAULT_JOB_SETTINGS.limits.perSource,
  maxPerTarget: DEFAULT_JOB_SETTINGS.limits.perTarget,
  maxInFleet: DEFAULT_JOB_SETTINGS.limits.global,
  attempts: DEFAULT_JOB_SETTINGS.maxAttempts,
  reserveMiB: DEFAULT_JOB_SETTINGS.reserveMiB,
  stuckAfterSeconds: DEFAULT_JOB_SETTINGS.minProgressTimeoutMs / 1000,
  minDeadlineSeconds: DEFAULT_JOB_SETTINGS.minCompletionMs / 1000,
};

const AbsPath = z.string().min(1).max(4096).refine((p) => p.startsWith('/'), 'must be an absolute path');

const TlsFilesSchema = z.strictObject({
  cert: AbsPath,
  key: AbsPath,
  /** the CA that signed cert: its fingerprint goes into `enroll` snippets */
  ca: AbsPath.nullable().default(null),
});

const TLS_SHAPE =
  'must be {"cert": "/etc/xenherd/tls/server.crt", "key": "/etc/xenherd/tls/server.key", "ca": "/etc/xenherd/tls/ca.crt"} (PEM files, "ca" optional; `xenherd-controller init` makes them), or false for plaintext, allowed only when listen.host is a loopback address such as 127.0.0.1';

/**
 * What `tls` must be, when neither shape fits: zod's own message for a union is "Invalid input".
 * Where the object was meant (an object given), the keys it lacks are named.
 */
function tlsExpected(issue: z.core.$ZodRawIssue): string {
  if (issue.input === undefined) return `is missing: it ${TLS_SHAPE}`;
  const input: unknown = issue.input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const missing = ['cert', 'key'].filter((k) => !Object.prototype.hasOwnProperty.call(input, k));
    if (missing.length > 0) return `lacks ${missing.map((k) => `"${k}"`).join(' and ')}: it ${TLS_SHAPE}`;
  }
  return TLS_SHAPE;
}

/**
 * /etc/xenherd/controller.json. Every key but `tls` and `stateDir` has a default; unknown keys
 * are refused. `xenherd-controller init` writes one.
 */
export const ControllerConfigSchema = z.strictObject({
  listen: z.strictObject({
    /**
     * an IP address literal; "::" (the default) is every interface, IPv6 and IPv4 alike, so a
     * controller name with an AAAA record answers on it too ("0.0.0.0" is IPv4 only)
     */
    host: z.string().min(1).max(64).default(ANY_ADDRESS),
    /** 0 = any free port (logged at start; for tests) */
    port: z.number().int().min(0).max(65535).default(7443),
  })
    .default({ host: ANY_ADDRESS, port: 7443 }),
  /** the server's certificate and key (PEM files); `false` = plaintext, allowed only on a loopback address */
  tls: z.union([z.literal(false), TlsFilesSchema], { error: tlsExpected }),
  /** tokens.json (hashes of agent and operator tokens) lives here; owner-only */
  stateDir: AbsPath,
  /** how agents and operators reach this controller, e.g. "https://ctl.example:7443" (for `enroll`); default https://HOSTNAME:PORT */
  publicUrl: z.string().regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, 'must be like https://ctl.example:7443').nullable().default(null),
  heartbeatSeconds: z.number().min(0.1).max(300).default(5),
  staleAfterSeconds: z.number().min(0.3).max(3600).default(15),
  commandTimeoutSeconds: z.number().min(1).max(86_400).default(3600),
  /** the largest message an agent may send (WebSocket maxPayload) */
  maxMessageBytes: z.number().int().min(65_536).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** drains, restores, rebalances and rolls: how many live migrations at once, and how hard to try */
  migrations: z.strictObject({
    /** leaving one Dom0 at once (more congest its link and slow each other down) */
    maxPerSource: z.number().int().min(1).max(16).default(MIGRATION_DEFAULTS.maxPerSource),
    /** arriving at one Dom0 at once */
    maxPerTarget: z.number().int().min(1).max(16).default(MIGRATION_DEFAULTS.maxPerTarget),
    /** in the whole fleet at once */
    maxInFleet: z.number().int().min(1).max(256).default(MIGRATION_DEFAULTS.maxInFleet),
    /** live-migration attempts per domU before it is a leftover (or cold-moved) */
    attempts: z.number().int().min(1).max(10).default(MIGRATION_DEFAULTS.attempts),
    /** memory kept free on every target */
    reserveMiB: z.number().int().min(0).max(1_048_576).default(MIGRATION_DEFAULTS.reserveMiB),
    /**
     * a migration whose source says nothing (no progress line) for this long is taken as stuck and
     * its outcome settled by asking both agents; big domUs get half their expected time if longer.
     * Raise it where Dom0s are slow to start a command (Node's start and the peer's check over ssh
     * come before the first line).
     */
    stuckAfterSeconds: z.number().int().min(10).max(3600).default(MIGRATION_DEFAULTS.stuckAfterSeconds),
    /** a migration's deadline is at least this, else 3 × its expected time + 60 s */
    minDeadlineSeconds: z.number().int().min(30).max(86_400).default(MIGRATION_DEFAULTS.minDeadlineSeconds),
  })
    .default(MIGRATION_DEFAULTS),
})
  .superRefine((c, ctx) => {
    if (c.tls === false && !isLoopbackAddress(c.listen.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `plaintext (tls: false) is allowed only on a loopback address, and listen.host is ${JSON.stringify(c.listen.host)}: give tls {"cert", "key"} (xenherd-controller init makes them) or listen on 127.0.0.1`,
      });
    }
    if (c.staleAfterSeconds < 2 * c.heartbeatSeconds) {
      ctx.addIssue({ code: 'custom', path: ['staleAfterSeconds'], message: `must be at least twice heartbeatSeconds (${c.heartbeatSeconds}), or every late heartbeat makes a host unreachable` });
    }
    if (c.migrations.stuckAfterSeconds > c.migrations.minDeadlineSeconds) {
      ctx.addIssue({ code: 'custom', path: ['migrations', 'stuckAfterSeconds'], message: `must not be above migrations.minDeadlineSeconds (${c.migrations.minDeadlineSeconds}): a migration would reach its deadline before it could be found stuck` });
    }
    if (c.publicUrl?.startsWith('http:') && c.tls !== false) ctx.addIssue({ code: 'custom', path: ['publicUrl'], message: 'is http:// but TLS is on: use https://' });
  });
export type ControllerConfig = z.infer<typeof ControllerConfigSchema>;
export type ControllerConfigInput = z.input<typeof ControllerConfigSchema>;
