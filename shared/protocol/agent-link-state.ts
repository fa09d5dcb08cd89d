import * as z from 'zod';
import { DrbdRoleSchema } from '../drbd-words.js';
import { ownKeysOnly } from '../own-keys.js';
import { DRBD_RESOURCE_RE } from '../names.js';
import {
  DomuNameSchema,
  HostNameSchema,
  IsoTimeSchema,
  LINK_LIMITS,
  LinkAwaySchema,
  LinkDomainSchema,
  LinkGuardedSchema,
  LinkMemorySchema,
  LinkTextSchema,
  LinkToolstackSchema,
  LinkXenSchema,
  MaintenanceSchema,
  MigrationOperationSchema,
  OperationIdSchema,
} from './agent-link-values.js';
import { LinkStateDisksSchema } from './state-disk.js';

/**
 * What an agent reports about its Dom0 over the agent link: the value schemas inside `snapshot`
 * and `delta` (the envelopes are in agent-link.ts). Every string and array is bounded, because the
 * controller parses these from the network before it trusts anything in them. The names, rows and
 * records the operator API carries as well are in agent-link-values.ts, exported here too.
 */
export * from './agent-link-values.js';

/** A DRBD state word (connection, disk, replication): letters only, as the tools print them. */
/**
 * Connection, disk and replication words stay open on the wire (letters only), unlike the agent's
 * own typed words: a controller must keep reading an agent whose newer DRBD prints a word it has
 * never seen. Roles are only ever these three.
 */
const DrbdWord = z.string().regex(/^[A-Za-z]{1,32}$/, 'a DRBD state word');
export { DrbdRoleSchema };

export const LinkDrbdPeerSchema = z.strictObject({
  /**
   * the peer's name as DRBD prints it: its host name (DRBD 9), or literally "peer" (8.4); "node-id:N"
   * when the tool printed none (8.4's StandAlone connection in an events2 dump: node-id:0)
   */
  name: z.string().max(253),
  role: DrbdRoleSchema.nullable(),
  connection: DrbdWord.nullable(),
  disk: DrbdWord.nullable(),
  replication: DrbdWord.nullable(),
  /**
   * true: connected and diskless by its configuration (DRBD 9's `peer-client:yes`, a quorum
   * tiebreaker), so its Diskless is no failed disk; absent otherwise, from older agents, and to a
   * controller that did not accept LINK_FEATURE.drbdClient
   */
  client: z.literal(true).optional(),
});

export const LinkDrbdResourceSchema = z.strictObject({
  name: z.string().regex(DRBD_RESOURCE_RE, 'a DRBD resource name'),
  /** null when the resource is not up */
  role: DrbdRoleSchema.nullable(),
  disk: DrbdWord.nullable(),
  /**
   * true: this Dom0's disk of it is Diskless by its configuration (DRBD 9's `client:yes`): a DRBD
   * client holding no copy, no disk that failed; absent otherwise, from older agents, and to a
   * controller that did not accept LINK_FEATURE.drbdLocalClient
   */
  client: z.literal(true).optional(),
  peers: z.array(LinkDrbdPeerSchema).max(LINK_LIMITS.peers),
});
export type LinkDrbdResource = z.infer<typeof LinkDrbdResourceSchema>;

export const LinkDrbdSchema = z.strictObject({
  availability: z.enum(['ok', 'tools-missing', 'module-not-loaded', 'unknown']),
  resources: z.array(LinkDrbdResourceSchema).max(LINK_LIMITS.resources),
});

export const LinkVisitorSchema = z.strictObject({ home: HostNameSchema, since: IsoTimeSchema, operationId: OperationIdSchema });
export type LinkVisitor = z.infer<typeof LinkVisitorSchema>;

const boundedRecord = <V extends z.ZodType>(value: V) =>
  z
    .record(DomuNameSchema, value)
    .refine((r) => Object.keys(r).length <= LINK_LIMITS.ledgerEntries, `at most ${LINK_LIMITS.ledgerEntries} entries`)
    .transform((r) => ownKeysOnly(r));

/**
 * A migration this Dom0 ran that ended in an ALARM (XH_ERR_MIGRATION_UNKNOWN): where the domU runs
 * since is unknown, and stays a person's question until `xenherd-agent reconcile NAME` on this Dom0
 * settles it. Sent only to a controller that accepts LINK_FEATURE.unsettled.
 */
// with the values, where `where`'s answer reads it without the whole host state's schemas
export { MigrationOperationSchema, type MigrationOperation } from './agent-link-values.js';
export const LinkUnsettledSchema = z.strictObject({ peer: HostNameSchema, since: IsoTimeSchema, operationId: OperationIdSchema, operation: MigrationOperationSchema, message: LinkTextSchema });
export type LinkUnsettled = z.infer<typeof LinkUnsettledSchema>;

export const LinkLedgerSchema = z.strictObject({
  seq: z.number().int().nonnegative(),
  away: boundedRecord(LinkAwaySchema),
  visitors: boundedRecord(LinkVisitorSchema),
  /** absent from agents that do not keep it, and when empty */
  unsettled: boundedRecord(LinkUnsettledSchema).optional(),
});
export type LinkLedger = z.infer<typeof LinkLedgerSchema>;

/**
 * A domU this Dom0 claims as its home (agent/decide/home-claim.ts homeHere accepts it), with its
 * migration partner and why: its /etc/xen/migrate-tab.txt lists it, or only its guarded dir does
 * (then the DRBD partner may claim it too: either may start it after a reboot).
 */
export const LinkHomeSchema = z.strictObject({ name: DomuNameSchema, peer: HostNameSchema.nullable(), source: z.enum(['migrate-tab', 'guarded']) });
export type LinkHome = z.infer<typeof LinkHomeSchema>;

/**
 * A domU this Dom0 holds a config for — guarded here, or only in the config dir (a visitor, or a
 * standby replica of a domU whose home is the DRBD partner) — with the hosts each of its DRBD
 * resources names (`on HOST {}` in /etc/drbd.d/RES.res). The planner moves a DRBD domU only to
 * a host every one of its resources names.
 */
export const LinkDomuConfigSchema = z.strictObject({
  name: DomuNameSchema,
  source: z.enum(['guarded', 'config-dir']),
  memMiB: z.number().int().nonnegative().nullable(),
  vcpus: z.number().int().nonnegative().nullable(),
  resources: z
    .array(z.strictObject({ name: z.string().regex(DRBD_RESOURCE_RE, 'a DRBD resource name'), hosts: z.array(HostNameSchema).max(16) }))
    .max(64),
});
export type LinkDomuConfig = z.infer<typeof LinkDomuConfigSchema>;

/** The whole state of one Dom0. A `delta` replaces some of these sections whole. */
export const HostStateSchema = z.strictObject({
  toolstack: LinkToolstackSchema,
  memory: LinkMemorySchema,
  maintenance: MaintenanceSchema,
  domains: z.array(LinkDomainSchema).max(LINK_LIMITS.domains),
  guarded: z.array(LinkGuardedSchema).max(LINK_LIMITS.guarded),
  drbd: LinkDrbdSchema,
  ledger: LinkLedgerSchema,
  homes: z.array(LinkHomeSchema).max(LINK_LIMITS.homes),
  domus: z.array(LinkDomuConfigSchema).max(LINK_LIMITS.domains),
  /**
   * the hypervisor's release, null until `xl info` was read; sent only to a controller that accepts
   * LINK_FEATURE.xenVersion (an older one refuses a key it does not know), so absent from older
   * agents too: the controller then takes the release as unknown
   */
  xen: LinkXenSchema.nullable().optional(),
  /**
   * the free space under the agent's state and runtime dirs, and a write there that failed for
   * lack of it (state-disk.ts); sent only to a controller that accepts LINK_FEATURE.stateDisk,
   * absent from older agents: the controller then says nothing of them
   */
  stateDisks: LinkStateDisksSchema.optional(),
});
export type HostState = z.infer<typeof HostStateSchema>;
export type HostStateSection = keyof HostState;

/** The sections a `delta` replaces (DeltaSchema refuses one that replaces nothing). */
export const HostStatePatchSchema = HostStateSchema.partial().strict();
export type HostStatePatch = z.infer<typeof HostStatePatchSchema>;
