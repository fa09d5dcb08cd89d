import * as z from 'zod';
import { ErrorCodeSchema } from '../errors.js';
import { DOMU_NAME_RE } from '../names.js';
import { STATE_DIR_ROLES } from './state-disk.js';

/**
 * The agent's local control socket (/run/xenherd/agent.sock, owner-only): one JSON request line,
 * one JSON response line, then the agent closes the connection. Used by `xenherd-agent autostart`
 * on the same host. Versioned; both directions are parsed with these schemas.
 *
 * `hold` is the exception: once granted, the agent keeps the connection open and the domU stays
 * held until the client closes it (or dies: the kernel closes it then). Migration commands hold
 * their domU this way so that the daemon neither starts nor force-starts it meanwhile.
 */
export const CONTROL_PROTOCOL_VERSION = 1;

export const ControlRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ v: z.literal(CONTROL_PROTOCOL_VERSION), op: z.literal('status') }),
  /** re-read the config file and the host and re-decide now (xen-drbd-auto's `reload`) */
  z.strictObject({ v: z.literal(CONTROL_PROTOCOL_VERSION), op: z.literal('reload') }),
  /**
   * re-read the host (ledger, DRBD, domains) and re-decide, the config file left alone: what a
   * migration command asks after writing the ledger, WHY naming the move for the journal. An agent
   * older than this op answers it XH_ERR_USAGE; its callers then send `reload`
   * (agent/control/nudge.ts).
   */
  z.strictObject({ v: z.literal(CONTROL_PROTOCOL_VERSION), op: z.literal('rescan'), why: z.string().min(1).max(300) }),
  /**
   * a command's write under the agent's state or runtime dir (an operator's `migrate` writing the
   * ledger) failed for a full or read-only filesystem: the agent reads its dirs at once and names
   * WHAT in its report, not its own test write. An agent older than this op answers XH_ERR_USAGE;
   * its minute's reading finds the filesystem all the same.
   */
  z.strictObject({ v: z.literal(CONTROL_PROTOCOL_VERSION), op: z.literal('write-failed'), role: z.enum(STATE_DIR_ROLES), what: z.string().min(1).max(200) }),
  /** resume guarded autostart and re-decide now (xen-drbd-auto's `start`) */
  z.strictObject({ v: z.literal(CONTROL_PROTOCOL_VERSION), op: z.literal('start') }),
  /** stop starting domUs; deferred domUs stay deferred until `start` (xen-drbd-auto's `stop`) */
  z.strictObject({ v: z.literal(CONTROL_PROTOCOL_VERSION), op: z.literal('stop') }),
  /** start one guarded domU now, overriding a defer or a handled-this-boot skip (agent/decide/autostart-all.ts forceVerdict); never a peer-Primary skip */
  z.strictObject({
    v: z.literal(CONTROL_PROTOCOL_VERSION),
    op: z.literal('force'),
    name: z.string().regex(DOMU_NAME_RE, 'a domU name'),
    reason: z.string().min(1).max(500),
    operator: z.string().max(100).nullable(),
  }),
  /** hold one domU for a migration until this connection closes */
  z.strictObject({
    v: z.literal(CONTROL_PROTOCOL_VERSION),
    op: z.literal('hold'),
    name: z.string().regex(DOMU_NAME_RE, 'a domU name'),
    purpose: z.enum(['migrate', 'migrate2', 'reverse']),
    /** the migration's operation id (as in the ledger) */
    operation: z.string().min(1).max(100),
    /** who holds it, for the operator: command and pid */
    by: z.string().min(1).max(200),
  }),
]);
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

export const DecisionKindSchema = z.enum(['running', 'start', 'skip', 'defer', 'unknown']);

export const GuardedStatusSchema = z.strictObject({
  name: z.string(),
  configPath: z.string(),
  decision: DecisionKindSchema,
  /** skip/defer reason word (e.g. "peer-primary", "peer-not-connected"); null for running/start */
  reason: z.string().nullable(),
  detail: z.string(),
  /** ISO time the decision (kind and reason) last changed */
  since: z.string(),
  splitBrainHazard: z.boolean(),
  /** an `xl create` is running for it now */
  starting: z.boolean(),
  lastStart: z.strictObject({ at: z.string(), ok: z.boolean(), message: z.string(), forced: z.boolean() })
    .nullable(),
  /** after a failed start: when the next attempt may run */
  retryAt: z.string().nullable(),
  /**
   * when the agent decides it next at the latest, as an ISO time and in seconds from the answer,
   * both on the agent's clock: 're-check', a deferred domU's fallback re-check (a DRBD or domain
   * change decides it sooner); 'controller-view', before the first decisions, the end of their
   * wait for the controller's view of where domUs run (its arrival ends it sooner). Optional: a
   * CLI may ask a daemon not yet restarted after an upgrade.
   */
  nextTry: z.strictObject({ kind: z.enum(['re-check', 'controller-view']), at: z.string(), inSeconds: z.number().int().min(0) }).nullable().optional(),
});
export type GuardedStatus = z.infer<typeof GuardedStatusSchema>;

export const HoldSchema = z.strictObject({
  name: z.string(),
  purpose: z.enum(['migrate', 'migrate2', 'reverse']),
  operation: z.string(),
  by: z.string(),
  /** ISO time the hold was granted */
  since: z.string(),
});
export type Hold = z.infer<typeof HoldSchema>;

export const AgentStatusSchema = z.strictObject({
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.string(),
  autostart: z.enum(['enabled', 'stopped']),
  maintenance: z.boolean(),
  toolstack: z.string().nullable(),
  /** how DRBD and domain changes reach the agent: "events2", "xenstore-watch", or "polling every Ns (why)" */
  sources: z.strictObject({ drbd: z.string(), domains: z.string() }),
  drbd: z.enum(['ok', 'tools-missing', 'module-not-loaded', 'unknown']),
  lastFullRead: z.string().nullable(),
  guarded: z.array(GuardedStatusSchema),
  /** domUs held by a running migration command: not started, not force-started meanwhile */
  holds: z.array(HoldSchema),
  warnings: z.array(z.string()),
  /**
   * the link to the controller: 'off' without a `controller` section; 'down' with the last
   * failure (a refused token, an untrusted certificate, no route) and how many tries in a row
   * failed. Optional: the agent and its CLI are one binary, but a CLI may ask a daemon not yet
   * restarted after an upgrade.
   */
  controller: z
    .strictObject({ link: z.enum(['off', 'connecting', 'up', 'down']), problem: z.string().nullable(), failures: z.number().int().min(0) })
    .optional(),
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const ControlResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(CONTROL_PROTOCOL_VERSION),
    ok: z.literal(true),
    message: z.string(),
    /** the agent's status, for the requests that show it (status, reload, start, stop) */
    status: AgentStatusSchema.optional(),
    /** a granted hold: only the hold, so holding many domUs stays cheap */
    hold: HoldSchema.optional(),
  }),
  z.strictObject({
    v: z.literal(CONTROL_PROTOCOL_VERSION),
    ok: z.literal(false),
    error: z.strictObject({ code: ErrorCodeSchema, message: z.string() }),
  }),
]);
export type ControlResponse = z.infer<typeof ControlResponseSchema>;
