import * as z from 'zod';
import { MsSchema as Ms, WORD_RE } from './ctl-api-base.js';
import { ErrorCodeSchema } from '../errors.js';
import { DomuNameSchema, HostNameSchema, LinkDomainSchema } from './agent-link-values.js';
import { HostViewSchema } from './ctl-hosts.js';
import { CheckDetailSchema, CheckStatusSchema } from './ctl-check.js';

/**
 * The controller's HTTP API for xenherdctl (and anyone with curl): JSON over HTTPS, bearer token
 * in `Authorization`. Roles: `read` for the GETs and POST /v1/plan, `operate` for POST /v1/commands
 * and the jobs.
 *
 *   GET  /v1/where?pattern=P     WhereAnswer      (exact name or glob: * ? [..])
 *   GET  /v1/hosts               HostsAnswer
 *   GET  /v1/domains[?host=H]    DomainsAnswer
 *   GET  /v1/status              StatusAnswer     (alerts first, and check's verdict at its defaults)
 *   GET  /v1/drbd[?pattern=P]    DrbdAnswer       (every DRBD resource, one entry per pair: ctl-drbd.ts)
 *   POST /v1/commands            CommandRequest → NDJSON stream of CommandEvent, `result` last
 *   POST /v1/plan, /v1/jobs, /v1/jobs/cancel, GET /v1/jobs: orchestration, see ctl-jobs.ts
 *   GET  /v1/check?...           CheckAnswer      (the monitoring verdict, see ctl-check.ts)
 *   GET  /metrics                Prometheus text exposition (outside /v1: where scrapers look)
 *
 * Every failure is an ApiError with the HTTP status that fits (400, 401, 403, 404, 405, 503). Times are
 * ms since the epoch on the controller's clock; `ageMs` is how long ago the controller last heard
 * from that host.
 *
 * Importing this module builds all its schemas, those it exports included. The prefix and the
 * error answer (ctl-api-base.ts) and the hosts and where answers (ctl-hosts.ts, ctl-where.ts) are
 * exported here too, but live apart: `xenherdctl where` imports them alone, and builds only the
 * schemas of its own answers.
 */
export * from './ctl-api-base.js';
export * from './ctl-hosts.js';
export * from './ctl-where.js';

export const DomainRowSchema = LinkDomainSchema.extend({
  host: HostNameSchema,
  reachable: z.boolean(),
  ageMs: Ms.nullable(),
  home: HostNameSchema.nullable(),
  /**
   * A row its host's agent can no longer vouch for: it cannot read `xl list` (its view is unknown)
   * since this time, and the row is the last it read before. Absent: the row is the agent's report.
   */
  viewUnknownSince: Ms.optional(),
}).strict();
export type DomainRow = z.infer<typeof DomainRowSchema>;
export const DomainsAnswerSchema = z.strictObject({
  at: Ms,
  host: HostNameSchema.nullable(),
  domains: z.array(DomainRowSchema),
  /** enrolled Dom0s not reported since the controller started: their domains are missing from a whole-fleet answer. Absent: none */
  unreported: z.array(HostNameSchema).optional(),
});
export type DomainsAnswer = z.infer<typeof DomainsAnswerSchema>;

/** The kinds of alert this version of the controller raises. */
export const AlertKindSchema = z.enum(['running-on-two-hosts', 'home-claimed-twice', 'drbd-primary-on-both', 'ledger-away-not-there', 'migration-stranded', 'away-unrecorded', 'migration-unsettled', 'foreign-claim']);
export type AlertKind = z.infer<typeof AlertKindSchema>;
/**
 * A kind as a client reads it: any lower-case word, not only AlertKind. A controller upgraded
 * before the operators' xenherdctl may raise a kind this build has never heard of, and `status`
 * is what an operator runs when something is wrong: it shows that alert as sent instead of
 * refusing the whole answer.
 */
export const AlertKindReadSchema = z.string().regex(WORD_RE, 'an alert kind is a lower-case word (a-z, 0-9, -)');
export const AlertSchema = z.strictObject({
  /** stable while the condition lasts: KIND:SUBJECT */
  id: z.string(),
  kind: AlertKindReadSchema,
  /** the domU or DRBD resource it is about, first: `web01`, `web01@xen1` (one host's record of it), `r0@xen1+xen2` */
  subject: z.string(),
  hosts: z.array(HostNameSchema),
  message: z.string(),
  /** when the controller first saw it */
  since: Ms,
});
/** An alert as a client reads it, of any kind. */
export type AlertAsRead = z.infer<typeof AlertSchema>;
/** An alert as this controller raises it: one of its own kinds. */
export type Alert = Omit<AlertAsRead, 'kind'> & { kind: AlertKind };

export const FleetSummarySchema = z.strictObject({
  hosts: z.number().int().nonnegative(),
  reachable: z.number().int().nonnegative(),
  /** hosts not heard from, those in reportsElsewhere aside (a controller older than that field counted them here too) */
  unreachable: z.number().int().nonnegative(),
  /**
   * hosts whose agent closed its link to go back to the primary controller (HostView
   * reportsElsewhereSince): they report there, not lost; hosts = reachable + unreachable + this.
   * Absent from an older controller
   */
  reportsElsewhere: z.number().int().nonnegative().optional(),
  /** distinct domUs running somewhere a reachable host reports (a controller older than `domusUnreachable` counted every report) */
  domus: z.number().int().nonnegative(),
  /** distinct domUs reachable hosts report only as crashed guests (xl list state c), not counted in `domus`: check calls each CRITICAL; absent from an older controller, which counted them in `domus` */
  crashed: z.number().int().nonnegative().optional(),
  /** guarded domUs known down, check's domus_down: running nowhere while their Dom0s skip them as handled-this-boot, gone with nobody of the fleet asking (check's down-guarded, CRITICAL), or deferred as boot-record-lost, which holds until an operator acts; absent from an older controller */
  down: z.number().int().nonnegative().optional(),
  /**
   * distinct domUs only unreachable hosts' last reports show: not known to run; those a Dom0 not
   * reported since the controller started may have taken down (its HostView `mayBeDown`) are counted
   * there instead, once; absent from an older controller
   */
  domusUnreachable: z.number().int().nonnegative().optional(),
  /** of those, the domUs a running-on-two-hosts alert names, counted once in `domus` though each runs twice; absent from an older controller */
  runningTwice: z.number().int().nonnegative().optional(),
  midMigration: z.number().int().nonnegative(),
  /** distinct domUs a Dom0's ledger keeps a migration of as unsettled (ended in an ALARM, not counted in midMigration); absent from an older controller */
  unsettled: z.number().int().nonnegative().optional(),
  /** hosts whose maintenance state is not online */
  inMaintenance: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
});
/**
 * `check`'s verdict at its default thresholds, carried in the status answer: beside the conflicts
 * listed as alerts, check judges more (a guarded domU down in maintenance, a host unreachable, a
 * domU long away from home), and status must not look healthier than check. Left out by a
 * controller older than the field.
 */
export const StatusVerdictSchema = z.strictObject({ status: CheckStatusSchema, summary: z.string().max(4000), details: z.array(CheckDetailSchema) });
export type StatusVerdict = z.infer<typeof StatusVerdictSchema>;

export const StatusAnswerSchema = z.strictObject({ at: Ms, alerts: z.array(AlertSchema), summary: FleetSummarySchema, hosts: z.array(HostViewSchema), verdict: StatusVerdictSchema.optional() });
/** The status answer as this controller makes it; a client reads z.infer<typeof StatusAnswerSchema>. */
export type StatusAnswer = Omit<z.infer<typeof StatusAnswerSchema>, 'alerts'> & { alerts: Alert[] };

export const CommandRequestSchema = z.discriminatedUnion('op', [
  /**
   * dryRun: the controller's checks only, nothing sent (answered with one `result`, no
   * `accepted`). Sent only when asked: a controller older than it refuses the request, never
   * taking it for the real move.
   */
  z.strictObject({ op: z.literal('migrate'), name: DomuNameSchema, target: HostNameSchema.nullable(), dryRun: z.literal(true).optional() }),
  z.strictObject({ op: z.literal('reverse'), name: DomuNameSchema }),
]);
export type CommandRequest = z.infer<typeof CommandRequestSchema>;

export const CommandOutcomeSchema = z.strictObject({ ok: z.boolean(), code: ErrorCodeSchema.nullable(), message: z.string(), detail: z.string().nullable() });
export type CommandOutcome = z.infer<typeof CommandOutcomeSchema>;

/** One NDJSON line of POST /v1/commands: `accepted` first (once routed), `progress`*, `result` last. */
export const CommandEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accepted'), commandId: z.string(), operationId: z.string(), host: HostNameSchema }),
  z.strictObject({ type: z.literal('progress'), line: z.string() }),
  CommandOutcomeSchema.extend({ type: z.literal('result') }).strict(),
]);
export type CommandEvent = z.infer<typeof CommandEventSchema>;
