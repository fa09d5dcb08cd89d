import * as z from 'zod';
import { MsSchema as Ms, WordSchema as Word } from './ctl-api-base.js';
import { DomainMigrationSchema } from '../domain-words.js';
import { LinkStateDiskSchema } from './state-disk.js';
import { DomainRowNameSchema, DomuNameSchema, HostNameSchema, LinkMemorySchema, LinkToolstackSchema, LinkXenSchema, MaintenanceSchema } from './agent-link-values.js';

/** GET /v1/hosts: the Dom0s reporting to the controller (see ctl-api.ts for the whole API). */

/** How many of an unreachable host's last reported domains a host view names. */
export const LAST_DOMAINS_NAMED = 10;

export const HostViewSchema = z.strictObject({
  host: HostNameSchema,
  /** link up and heard from within staleAfter */
  reachable: z.boolean(),
  linkUp: z.boolean(),
  lastSeen: Ms.nullable(),
  ageMs: Ms.nullable(),
  bootId: z.string().nullable(),
  agentVersion: z.string().nullable(),
  toolstack: LinkToolstackSchema,
  /** its hypervisor's release; null when its agent has not said it (an older agent never does); absent from a controller older than the field */
  xen: LinkXenSchema.nullable().optional(),
  memory: LinkMemorySchema,
  /** its maintenance flag; the state any word, shown as sent (a newer controller's agents may keep another): only `online` is taken as online */
  maintenance: MaintenanceSchema.extend({ state: Word }).strict(),
  /** when the controller saw the host enter this maintenance state (or first heard of it, after a controller restart); null before its first report */
  maintenanceSince: Ms.nullable(),
  /** toolstack rows reported (Domain-0 excluded) */
  domains: z.number().int().nonnegative(),
  /**
   * how many of those rows are a migration's half (NAME--incoming, NAME--migratedaway, xend's
   * migrating-NAME): a domU's move, not a domU of its own; absent when none, and from a controller
   * older than the field
   */
  halves: z.number().int().positive().optional(),
  /** domUs this host claims as home */
  homes: z.number().int().nonnegative(),
  /** false until the first snapshot arrived */
  reported: z.boolean(),
  /**
   * its agent's view of its own domains: behind (a domain change seen, `xl list` not re-read
   * for seconds), unknown (`xl list` cannot be read); until current again, `where` and `domains`
   * mark its rows not reachable (stale); any other word a newer controller sends is shown as
   * sent and taken as not current
   */
  view: Word,
  /**
   * a host not reachable: the first LAST_DOMAINS_NAMED of the domains it last reported, by name,
   * and their state then (a client reads any lower-case word, as a newer agent may report one this
   * build does not know); absent for a reachable host, and from a controller older than the field
   */
  /**
   * when its agent closed its link saying it is stopping (controller's clock), while that link is
   * down: a restart on its way (`check` WARNs for a minute, then calls it unreachable). Absent: the
   * link is up or closed otherwise, or a controller older than the field
   */
  agentStoppedAt: Ms.optional(),
  /**
   * when its agent closed its link to go back to the primary controller (controller's clock), while
   * that link is down: it reports to another controller, not lost (`check` WARNs, never CRITICAL),
   * and what it last reported here is dropped. Absent: the link is up or closed otherwise, or a
   * controller older than the field
   */
  reportsElsewhereSince: Ms.optional(),
  lastDomains: z
    .array(
      z.strictObject({
        name: DomainRowNameSchema,
        state: z.string().regex(/^[a-z][a-z-]{0,31}$/),
        /**
         * a row that is a migration's half: its domU, which half, and the Dom0 of the other end
         * among the reports (null when none shows one); absent for a plain row, and from a
         * controller older than the field
         */
        half: z.strictObject({ domu: DomuNameSchema, migration: DomainMigrationSchema, other: HostNameSchema.nullable() }).optional(),
      }),
    )
    .max(LAST_DOMAINS_NAMED)
    .optional(),
  /**
   * a host not reachable whose agent's links the controller refuses for their token (a wrong secret
   * for the token id enrolled for it): the id, the refusal's words and since when; absent otherwise,
   * and from a controller older than the field
   */
  tokenRefused: z.strictObject({ tokenId: z.string(), reason: z.string(), since: Ms }).optional(),
  /**
   * a host not heard from since the controller started whose DRBD partners heard now hold their
   * resources with it Secondary and cut off from it: the domUs on them that run on no Dom0 that
   * reports, and the sentence `check` says of them, with the runbook; absent otherwise, and from a
   * controller older than the field
   */
  mayBeDown: z.strictObject({ domus: z.array(DomuNameSchema), text: z.string() }).optional(),
  /**
   * the free space under the agent's state and runtime dirs as it last reported them (a write
   * there that failed for want of room included); absent from agents and controllers older than
   * the field
   */
  stateDisks: z.array(LinkStateDiskSchema).optional(),
  /** what `check` says of those dirs, worst first: a failed write CRITICAL, low space WARNING; absent: nothing */
  diskTrouble: z.array(z.strictObject({ status: z.enum(['WARNING', 'CRITICAL']), text: z.string() })).optional(),
});
export type HostView = z.infer<typeof HostViewSchema>;

export const HostsAnswerSchema = z.strictObject({
  at: Ms,
  hosts: z.array(HostViewSchema),
  /** when the controller started (its clock): a host not reported since is unheard since then, not never. Absent: an older controller */
  startedAt: Ms.optional(),
  /**
   * the end of the controller's start-up grace (its clock), sent while within it some enrolled host
   * has not reported since the start: such a host's agent may still be connecting, so it is "not
   * reported yet", as check says, not unreachable. Absent: past the grace, every enrolled host
   * heard, or an older controller
   */
  graceUntil: Ms.optional(),
});
export type HostsAnswer = z.infer<typeof HostsAnswerSchema>;
