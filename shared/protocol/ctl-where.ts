import * as z from 'zod';
import { DRBD_HOST_NAME_RE, DRBD_RESOURCE_RE } from '../names.js';
import { MsSchema as Ms, WordSchema as Word } from './ctl-api-base.js';
import { DomuNameSchema, HostNameSchema, IsoTimeSchema, LinkAwaySchema, LinkDomainSchema, LinkGuardedSchema, OperationIdSchema } from './agent-link-values.js';

/** GET /v1/where?pattern=P: where each matching domU runs (see ctl-api.ts for the whole API). */

export const WherePlaceSchema = z.strictObject({
  host: HostNameSchema,
  domain: LinkDomainSchema,
  /** its host is reachable and its agent's view of its domains current (not behind, not unknown) */
  reachable: z.boolean(),
  ageMs: Ms.nullable(),
  /** how long this migration half (--incoming / --migratedaway) has stood, by the controller's clock; absent on a plain row, or when not timed */
  stoodMs: Ms.optional(),
});
export type WherePlace = z.infer<typeof WherePlaceSchema>;

/**
 * A DRBD resource of the domU whose two sides hold different writes, or may: `primary-on-both`
 * while a drbd-primary-on-both alert about it is open (its id in `alert`), `standalone` while a
 * Dom0 heard now reports it connected to no peer (a split brain, or disconnected by hand);
 * `disk-failed` while a Dom0 heard now that runs the domU reports its disk of it Diskless or Failed
 * (hosts: that Dom0, then the connected peer whose UpToDate disk it runs on over the network, when
 * there is one). A lower-case word, so a newer controller's other kinds are read and shown by their word.
 * A host is named as DRBD names it: the peer may be a DRBD 9 node outside the fleet, such as a
 * storage node called stor_1, whose `_` no Dom0's name in the fleet has.
 */
/** `kind` of a disk DRBD detached under the Dom0 running the domU */
export const WHERE_DISK_FAILED = 'disk-failed';

/** A time the controller saw something begin (ms, its clock); orEarlier: it was so already when the controller first heard of that Dom0 */
export const WhereSeenSchema = z.strictObject({ at: Ms, orEarlier: z.literal(true).optional() });
export type WhereSeen = z.infer<typeof WhereSeenSchema>;

/**
 * A Primary on a side that ended while the resource was cut there (ms, the controller's clock):
 * from SINCE to UNTIL, when the controller first saw it ended. unheardFrom: that was the first
 * report after the controller had not heard the Dom0 since then, so it ended at some time between
 * and UNTIL is a bound.
 */
export const WherePrimarySpanSchema = z.strictObject({ since: WhereSeenSchema, until: Ms, unheardFrom: Ms.optional() });
export type WherePrimarySpan = z.infer<typeof WherePrimarySpanSchema>;

/**
 * One side of a split disk, as the controller knows it, to help a person choose the side whose
 * writes are thrown away (never chosen for them): since when the domU has run there (as Xen says
 * it, and as the controller first saw it) and the
 * resource been Primary there, or from when to when it was Primary while cut (a side demoted
 * before or since the split showed may hold writes the other lacks), whether it is the domU's
 * home, and since when the home's ledger sends the domU there (as the ledger wrote it).
 */
export const WhereSplitSideSchema = z.strictObject({
  host: z.string().regex(DRBD_HOST_NAME_RE, 'a host name as DRBD takes it'),
  home: z.literal(true).optional(),
  awayHereSince: IsoTimeSchema.optional(),
  running: WhereSeenSchema.optional(),
  /**
   * since when Xen has run the domU there (ms, the controller's clock): libxl's start_time as the
   * side's agent reports it, its start or arrival there, which the controller may not have seen.
   * Absent: not said (xm, an older agent or controller, an unreadable value)
   */
  started: Ms.optional(),
  primary: WhereSeenSchema.optional(),
  /** absent: none (or a controller older than the field) */
  wasPrimary: WherePrimarySpanSchema.optional(),
});
export type WhereSplitSide = z.infer<typeof WhereSplitSideSchema>;

export const WhereDiskSchema = z.strictObject({
  resource: z.string().regex(DRBD_RESOURCE_RE, 'a DRBD resource name'),
  kind: Word,
  hosts: z.array(z.string().regex(DRBD_HOST_NAME_RE, 'a host name as DRBD takes it')),
  alert: z.string().optional(),
  /**
   * of `hosts`, those the controller does not hear now and no Dom0 heard now is DRBD-connected
   * to (a `primary-on-both` only): their side is their last report, so a Dom0 that died Primary,
   * its domU started on the peer by the runbook, looks the same as a split brain until it reports
   * again. Absent: none such (or a controller older than the field).
   */
  unheard: z.array(z.string().regex(DRBD_HOST_NAME_RE, 'a host name as DRBD takes it')).optional(),
  /** a split kind's sides (WhereSplitSideSchema), by host. Absent: not a split, or a controller older than the field */
  sides: z.array(WhereSplitSideSchema).max(16).optional(),
  /** of `sides`, the one the controller saw Primary longest (every other one it saw become Primary later). Absent: not known */
  primaryLonger: z.string().regex(DRBD_HOST_NAME_RE, 'a host name as DRBD takes it').optional(),
});
export type WhereDisk = z.infer<typeof WhereDiskSchema>;

export const WhereMatchSchema = z.strictObject({
  name: DomuNameSchema,
  /** every host reporting a toolstack row of this domU (NAME, NAME--incoming, NAME--migratedaway) */
  places: z.array(WherePlaceSchema),
  /** the one Dom0 claiming it as home; null when none or several claim it (see homeClaims) */
  home: HostNameSchema.nullable(),
  homeClaims: z.array(HostNameSchema),
  /** the home's ledger record when it left home; its reason any word (shown as sent: a newer controller's agents may record another) */
  away: LinkAwaySchema.extend({ reason: Word }).strict().nullable(),
  /**
   * true: it runs elsewhere and not on its home, as check counts a domU away from home (a domU
   * started by hand on the peer, which no ledger records, too); absent: it does not (or a
   * controller older than the field)
   */
  awayFromHome: z.boolean().optional(),
  /** a host whose ledger records it as a visitor */
  visitor: z.strictObject({ host: HostNameSchema, home: HostNameSchema, since: IsoTimeSchema, operationId: OperationIdSchema }).nullable(),
  /** each guarded Dom0's last autostart decision, shown as sent: any word */
  autostart: z.array(LinkGuardedSchema.pick({ decision: true, reason: true, since: true }).extend({ host: HostNameSchema, decision: Word }).strict()),
  /**
   * a migration row (--incoming / --migratedaway) that may belong to a move under way is present (not a silent target's half its source resumed past,
   * nor a half while a ledger keeps the domU's migration as unsettled: that migration ended, in an ALARM, and the halves wait for a person)
   */
  midMigration: z.boolean(),
  /**
   * the migrations of this domU that Dom0s' ledgers keep as unsettled (ended in an ALARM, until `xenherd-agent reconcile NAME` on HOST),
   * SINCE on the controller's clock; absent: none (or a controller older than the field)
   */
  unsettled: z.array(z.strictObject({ host: HostNameSchema, peer: HostNameSchema, since: IsoTimeSchema, operationId: OperationIdSchema, operation: Word })).optional(),
  /** ids of the alerts about this domU */
  alerts: z.array(z.string()),
  /** its DRBD resources split, cut off from their peer, or without their disk where it runs (WhereDiskSchema); absent: none (or a controller older than the field) */
  drbd: z.array(WhereDiskSchema).optional(),
  /** age of the information: of the hosts running it, else of its home */
  ageMs: Ms.nullable(),
  reachable: z.boolean(),
});
export type WhereMatch = z.infer<typeof WhereMatchSchema>;

export const WhereAnswerSchema = z.strictObject({
  at: Ms,
  pattern: z.string(),
  matches: z.array(WhereMatchSchema),
  /**
   * enrolled Dom0s (an agent token in tokens.json) that have not reported since the controller
   * started: what runs on them is missing from the answer, so a match running nowhere is not
   * reachable (stale). Absent: none (or a controller that does not know its enrolled hosts).
   */
  unreported: z.array(HostNameSchema).optional(),
  /**
   * the controller is within its start-up grace (it started at STARTEDAT; ENROLLED Dom0s are
   * enrolled, `unreported` of them not heard yet, their agents may still be reconnecting): a
   * pattern that matched nothing is not known yet rather than not found. Absent: past the grace,
   * or every enrolled Dom0 reported.
   */
  starting: z.strictObject({ startedAt: Ms, enrolled: z.number().int().nonnegative() }).optional(),
  /**
   * reachable Dom0s whose agent says it cannot read its domains (view unknown: `xl list` fails or
   * hangs, and its report carries no domains) or reads them behind, and for how long: a match
   * running nowhere may run on one of them, so that match is not reachable (stale). Sent only
   * when some match runs nowhere and some host is so; absent: none. A view a newer controller
   * names otherwise is read as any word, and taken as one that cannot list its domains.
   */
  notListing: z.array(z.strictObject({ host: HostNameSchema, view: Word, forMs: Ms })).optional(),
});
export type WhereAnswer = z.infer<typeof WhereAnswerSchema>;
export type NotListing = NonNullable<WhereAnswer['notListing']>[number];
