import { z } from 'zod';
import { ErrorCodeSchema } from '../errors.js';
import {
  DomuNameSchema,
  HostNameSchema,
  HostStateSchema,
  IsoTimeSchema,
  LinkAwaySchema,
  LinkDomainSchema,
  LinkGuardedSchema,
  MaintenanceSchema,
  OperationIdSchema,
} from './agent-link-state.js';

/**
 * The controller's HTTP API for xenherdctl (and anyone with curl): JSON over HTTPS, bearer token
 * in `Authorization`. Roles: `read` for the GETs and POST /v1/plan, `operate` for POST /v1/commands
 * and the jobs.
 *
 *   GET  /v1/where?pattern=P     WhereAnswer      (exact name or glob: * ? [..])
 *   GET  /v1/hosts               HostsAnswer
 *   GET  /v1/domains[?host=H]    DomainsAnswer
 *   GET  /v1/status              StatusAnswer     (alerts first)
 *   POST /v1/commands            CommandRequest → NDJSON stream of CommandEvent, `result` last
 *   POST /v1/plan, /v1/jobs, /v1/jobs/cancel, GET /v1/jobs: orchestration, see ctl-jobs.ts
 *   GET  /v1/check?...           CheckAnswer      (the monitoring verdict, see ctl-check.ts)
 *   GET  /metrics                Prometheus text exposition (outside /v1: where scrapers look)
 *
 * Every failure is an ApiError with the HTTP status that fits (400, 401, 403, 404, 503). Times are
 * ms since the epoch on the controller's clock; `ageMs` is how long ago the controller last heard
 * from that host.
 */
export const CTL_API_PREFIX = '/v1';

const Ms = z.number().int().nonnegative();

export const ApiErrorSchema = z.strictObject({ error: z.strictObject({ code: ErrorCodeSchema, message: z.string() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;

export const HostViewSchema = z.strictObject({
  host: HostNameSchema,
  /** link up and heard from within staleAfter */
  reachable: z.boolean(),
  linkUp: z.boolean(),
  lastSeen: Ms.nullable(),
  ageMs: Ms.nullable(),
  bootId: z.string().nullable(),
  agentVersion: z.string().nullable(),
  toolstack: HostStateSchema.shape.toolstack,
  memory: HostStateSchema.shape.memory,
  maintenance: MaintenanceSchema,
  /** when the controller saw the host enter this maintenance state (or first heard of it, after a controller restart); null before its first report */
  maintenanceSince: Ms.nullable(),
  /** toolstack rows reported (Domain-0 excluded) */
  domains: z.number().int().nonnegative(),
  /** domUs this host claims as home */
  homes: z.number().int().nonnegative(),
  /** false until the first snapshot arrived */
  reported: z.boolean(),
  /**
   * its agent's view of its own domains: behind (a domain change seen, `xl list` not re-read
   * for seconds), unknown (`xl list` cannot be read); until current again, `where` and `domains`
   * mark its rows not reachable (stale)
   */
  view: z.enum(['current', 'behind', 'unknown']),
});
export type HostView = z.infer<typeof HostViewSchema>;

export const WherePlaceSchema = z.strictObject({
  host: HostNameSchema,
  domain: LinkDomainSchema,
  /** its host is reachable and its agent's view of its domains current (not behind, not unknown) */
  reachable: z.boolean(),
  ageMs: Ms.nullable(),
});
export type WherePlace = z.infer<typeof WherePlaceSchema>;

export const WhereMatchSchema = z.strictObject({
  name: DomuNameSchema,
  /** every host reporting a toolstack row of this domU (NAME, NAME--incoming, NAME--migratedaway) */
  places: z.array(WherePlaceSchema),
  /** the one Dom0 claiming it as home; null when none or several claim it (see homeClaims) */
  home: HostNameSchema.nullable(),
  homeClaims: z.array(HostNameSchema),
  /** the home's ledger record when it left home */
  away: LinkAwaySchema.nullable(),
  /** a host whose ledger records it as a visitor */
  visitor: z.strictObject({ host: HostNameSchema, home: HostNameSchema, since: IsoTimeSchema, operationId: OperationIdSchema }).nullable(),
  autostart: z.array(LinkGuardedSchema.pick({ decision: true, reason: true, since: true }).extend({ host: HostNameSchema }).strict()),
  /** a migration row (--incoming / --migratedaway) is present */
  midMigration: z.boolean(),
  /** ids of the alerts about this domU */
  alerts: z.array(z.string()),
  /** age of the information: of the hosts running it, else of its home */
  ageMs: Ms.nullable(),
  reachable: z.boolean(),
});
export type WhereMatch = z.infer<typeof WhereMatchSchema>;

export const WhereAnswerSchema = z.strictObject({ at: Ms, pattern: z.string(), matches: z.array(WhereMatchSchema) });
export type WhereAnswer = z.infer<typeof WhereAnswerSchema>;

export const HostsAnswerSchema = z.strictObject({ at: Ms, hosts: z.array(HostViewSchema) });
export type HostsAnswer = z.infer<typeof HostsAnswerSchema>;

export const DomainRowSchema = LinkDomainSchema.extend({
  host: HostNameSchema,
  reachable: z.boolean(),
  ageMs: Ms.nullable(),
  home: HostNameSchema.nullable(),
}).strict();
export type DomainRow = z.infer<typeof DomainRowSchema>;
export const DomainsAnswerSchema = z.strictObject({ at: Ms, host: HostNameSchema.nullable(), domains: z.array(DomainRowSchema) });
export type DomainsAnswer = z.infer<typeof DomainsAnswerSchema>;

export const AlertKindSchema = z.enum(['running-on-two-hosts', 'home-claimed-twice', 'drbd-primary-on-both', 'ledger-away-not-there', 'migration-stranded', 'away-unrecorded', 'migration-unsettled']);
export type AlertKind = z.infer<typeof AlertKindSchema>;
export const AlertSchema = z.strictObject({
  /** stable while the condition lasts: KIND:SUBJECT */
  id: z.string(),
  kind: AlertKindSchema,
  /** the domU or DRBD resource it is about, first: `web01`, `web01@xen1` (one host's record of it), `r0@xen1+xen2` */
  subject: z.string(),
  hosts: z.array(HostNameSchema),
  message: z.string(),
  /** when the controller first saw it */
  since: Ms,
});
export type Alert = z.infer<typeof AlertSchema>;

export const FleetSummarySchema = z.strictObject({
  hosts: z.number().int().nonnegative(),
  reachable: z.number().int().nonnegative(),
  unreachable: z.number().int().nonnegative(),
  /** distinct domUs running somewhere */
  domus: z.number().int().nonnegative(),
  midMigration: z.number().int().nonnegative(),
  /** hosts whose maintenance state is not online */
  inMaintenance: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
});
export const StatusAnswerSchema = z.strictObject({ at: Ms, alerts: z.array(AlertSchema), summary: FleetSummarySchema, hosts: z.array(HostViewSchema) });
export type StatusAnswer = z.infer<typeof StatusAnswerSchema>;

export const CommandRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('migrate'), name: DomuNameSchema, target: HostNameSchema.nullable() }),
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
