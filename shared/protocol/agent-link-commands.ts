import * as z from 'zod';
import {
  DomuNameSchema,
  HostNameSchema,
  LinkDomainSchema,
  LinkDrbdResourceSchema,
  MaintenanceSchema,
  NewOperationIdSchema,
} from './agent-link-state.js';

/**
 * The commands a controller sends an agent over the agent link, and the structured answers some
 * of them carry in their `result`. This is the contract between the controller's orchestration
 * (controller/jobs/) and the agent: each op below says what the agent does and what each result
 * code means to the controller. An agent announces the ops it runs in `hello.capabilities`
 * (CAPABILITY below); the controller never sends an op the agent did not announce.
 *
 * Every command ends with exactly one `result` (ok, or one code from shared/errors.ts) and may
 * send `progress` lines before it. Long steps send a progress line at least every 10 s, so the
 * controller can tell a slow migration from a stuck one (it waits at least 60 s without one).
 */
export const CommandIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'a command id');

/** The words of `hello.capabilities` that announce these ops. */
export const CAPABILITY = {
  migrate: 'migrate',
  reverse: 'reverse',
  maintenance: 'maintenance',
  inspect: 'inspect',
  /** both `shutdown` and `start` */
  coldMigrate: 'cold-migrate',
} as const;

export const MaintenanceStateSchema = MaintenanceSchema.shape.state;
/** Longest lease a controller may ask for on an active maintenance state (draining, restoring). */
export const MAX_LEASE_MS = 3_600_000;

const base = {
  type: z.literal('command'),
  commandId: CommandIdSchema,
  /** who asked, for the agent's audit log: the operator's token name, e.g. "ctl:admin" */
  by: z.string().min(1).max(200),
};
// a command's operation id goes into the argv of the agent's own CLI and into its files: the CLI's rule
const domuBase = { ...base, name: DomuNameSchema, operationId: NewOperationIdSchema };

export const CommandSchema = z.discriminatedUnion('op', [
  /**
   * Sent to the Dom0 running NAME: live-migrate it to `target` (null: its migrate-tab/DRBD peer)
   * with the agent's migration plan executor — hold NAME, preflight, `xl migrate`, verify both
   * hosts, record both ledgers (home: away {currentHost, reason, operationId}; visitor record at
   * the target; a return home forgets both). `operationId` goes into the ledger records: a drain
   * uses its own operation id for all its moves, so the ledgers say which drain moved what.
   * Results:
   *   ok                        NAME runs at target, ledgers recorded
   *   XH_ERR_MIGRATION_FAILED   NAME still runs here, ledgers unchanged (safe to retry)
   *   XH_ERR_PEER_UNREACHABLE   the target did not answer before the transfer: still here
   *   XH_ERR_MIGRATION_UNKNOWN  the ending is ambiguous (e.g. the final handshake failed): nothing
   *                             was guessed; the controller asks both hosts (`inspect`) itself
   *   XH_ERR_MIGRATION_PARTIAL  NAME moved, but the other Dom0's ledger was not told
   *   XH_ERR_LOCKED             NAME is held by another migration, hold, shutdown or start; or
   *                             reason is 'drain' and this host's maintenance flag is not
   *                             `draining` with this same operationId (a drain run by someone else)
   *   XH_ERR_REFUSED            preflight refused (target holds no replica of a resource, target
   *                             already runs NAME, target is draining or in maintenance and the
   *                             reason is not 'restore', a visitor sent anywhere but its home, ...)
   *   XH_ERR_NOT_FOUND          NAME does not run here
   * Reason 'restore' is a move back to NAME's home (target = the home): the home's away record
   * ends. The agent refuses nothing else because of a maintenance state of the target.
   */
  z.strictObject({ ...domuBase, op: z.literal('migrate'), target: HostNameSchema.nullable(), reason: z.enum(['manual', 'drain', 'rebalance', 'restore']) }),
  /** Sent to NAME's home: bring NAME back from where the ledger says it is (peer's migrate2 over ssh). */
  z.strictObject({ ...domuBase, op: z.literal('reverse') }),
  /**
   * Cold move, first half, sent to the Dom0 running NAME after live migration failed: hold NAME;
   * refuse (XH_ERR_REFUSED) when `target` is not named by every DRBD resource of NAME; record the
   * ledger so nothing here starts NAME again (home: away to target, reason drain; visitor: forget);
   * `xl shutdown -w` (bounded); then `drbdadm secondary` on each of NAME's resources.
   *   ok                        NAME is gone from xl list and every resource is Secondary here
   *   XH_ERR_TOOL_FAILED / XH_ERR_TOOL_TIMEOUT  NAME still runs here; the ledger change undone
   *   XH_ERR_MIGRATION_PARTIAL  NAME stopped but a resource stayed Primary here (the controller
   *                             then starts nothing: the target's DRBD rules would refuse anyway)
   *   XH_ERR_LOCKED             NAME is held by something else; or this host's maintenance flag
   *                             is not `draining` with this same operationId (a controller shuts
   *                             a domU down only as a drain's cold fallback, held as its migrate is)
   */
  z.strictObject({ ...domuBase, op: z.literal('shutdown'), target: HostNameSchema }),
  /**
   * Cold move, second half, sent to the target: start NAME here from this host's own config for
   * it (guarded dir or config dir), only under the guarded-autostart DRBD rules: every peer of
   * every resource is Secondary (a peer Primary anywhere, or Unknown / not connected, refuses: a
   * deferral is a refusal here, the controller asks again later); never when xl list here already
   * shows NAME or the controller's fleet view shows it elsewhere. Records the visitor (home from
   * the ledger or the DRBD partner) or, NAME's home being here, forgets its away record.
   *   ok                        xl list shows NAME running here
   *   XH_ERR_REFUSED            the DRBD rules (or a running copy) forbid the start; nothing done
   *   XH_ERR_TOOL_FAILED        `xl create` failed; resources demoted again
   *   XH_ERR_NOT_FOUND          no config for NAME on this host
   */
  z.strictObject({ ...domuBase, op: z.literal('start'), from: HostNameSchema }),
  /**
   * Read-only, answered at once from fresh reads (not the last snapshot): `xl list` rows of NAME
   * (NAME, NAME--incoming, NAME--migratedaway), the DRBD roles of NAME's resources here and of
   * their peers, and whether something of this agent holds NAME now. Ok with data.kind 'inspect'
   * whether NAME is here or not; a tool failure is its code (the controller asks again). The
   * controller settles an ambiguous migration with it on both hosts before any retry.
   */
  z.strictObject({ ...base, op: z.literal('inspect'), name: DomuNameSchema }),
  /**
   * Changes this host's maintenance flag (stored on disk, kept across agent and Dom0 restarts;
   * while draining or maintenance guarded autostart starts nothing). Owner rules, in order:
   *   1. current state not in `from`                      → XH_ERR_REFUSED (a compare-and-set:
   *      a late renewal never re-cordons a host an operator set online)
   *   2. state 'online'                                   → accepted from anyone (the operator's
   *      override, or the end of a restore)
   *   3. current state active (draining, restoring), its lease live, and operationId or owner
   *      differs                                          → XH_ERR_LOCKED (data: the current flag)
   *   4. state 'maintenance' while xl list shows any domain here other than Domain-0 (migration
   *      rows included, xm's stopped rows without a domid excluded)  → XH_ERR_REFUSED
   *   5. otherwise accepted: the flag {state, operationId, owner} is written (atomically, before
   *      the result), a delta with `maintenance` follows, and the lease is renewed: it lives
   *      `leaseMs` from now on the agent's own monotonic clock for draining/restoring (0 releases
   *      it at once), and never for online/maintenance (settled states anyone may move on from).
   * The lease is kept in memory; an agent that starts with an active flag counts it as renewed
   * at its start with 60 s. So: while a controller runs a drain it renews every third of its lease;
   * a second controller (another owner) is refused; after the first stops or dies the lease lapses
   * and the same drain can be resumed by anyone (same operationId, new owner). Ok with data.kind
   * 'maintenance' (the flag now); XH_ERR_LOCKED and XH_ERR_REFUSED carry it too.
   */
  z.strictObject({
    ...base,
    op: z.literal('maintenance'),
    state: MaintenanceStateSchema,
    operationId: NewOperationIdSchema,
    /** the controller running the operation (its configured identity), e.g. "xenherd-controller@ctl1": printable ASCII, as it is shown in status lines */
    owner: z.string().regex(/^[\x21-\x7e][\x20-\x7e]{0,199}$/, 'printable ASCII, at most 200 characters'),
    from: z.array(MaintenanceStateSchema).min(1).max(4),
    leaseMs: z.number().int().min(0).max(MAX_LEASE_MS),
  }),
]);
export type CommandMessage = z.infer<typeof CommandSchema>;
/** A command without its envelope (type, commandId): what the controller's jobs ask for. */
export type CommandBody = DistributiveOmit<CommandMessage, 'type' | 'commandId'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const InspectReportSchema = z.strictObject({
  kind: z.literal('inspect'),
  host: HostNameSchema,
  name: DomuNameSchema,
  /** xl list rows of NAME now: NAME, NAME--incoming, NAME--migratedaway */
  rows: z.array(LinkDomainSchema).max(4),
  /** NAME's DRBD resources as drbdadm reports them now (local role, peers' roles) */
  resources: z.array(LinkDrbdResourceSchema).max(64),
  /** a migration, hold, shutdown or start of NAME runs in this agent now */
  busy: z.boolean(),
});
export type InspectReport = z.infer<typeof InspectReportSchema>;

export const MaintenanceReportSchema = z.strictObject({
  kind: z.literal('maintenance'),
  maintenance: MaintenanceSchema,
  /** how long the active state's lease still runs (0: none or lapsed) */
  leaseLeftMs: z.number().int().min(0).max(MAX_LEASE_MS),
});
export type MaintenanceReport = z.infer<typeof MaintenanceReportSchema>;

export const ResultDataSchema = z.discriminatedUnion('kind', [InspectReportSchema, MaintenanceReportSchema]);
export type ResultData = z.infer<typeof ResultDataSchema>;
