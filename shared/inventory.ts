import * as z from 'zod';
import { DomainMigrationSchema, DomainStateSchema } from './domain-words.js';
import { DrbdConnectionWordSchema, DrbdDiskStateSchema, DrbdReplicationWordSchema, DrbdRoleSchema } from './drbd-words.js';
import { ErrorCodeSchema } from './errors.js';

/**
 * What `xenherd-agent inventory --json` prints: one read of a Dom0 as xenherd sees it. The same
 * shape feeds the agent's snapshot later, so it is versioned.
 *
 * Version 2: a read that failed is no longer shown as "nothing there" — `domains` and each
 * `runningHere` are null when the toolstack could not list the domains, `drbd.availability` is
 * "unknown" and `drbd.unreadable` names the resources when DRBD could not be read. A version 1
 * reader would take those for "not running" and "no DRBD", so the number changed. Also new:
 * `config` (the agent config file the read used), `configDir` and `standby` (replicas of domUs
 * homed on another Dom0); a problem's `code` is one of the catalog's.
 */
export const INVENTORY_SCHEMA_VERSION = 2;

/** xl (Xen ≥ 4.1) or legacy xm (xend). */
export const ToolstackKindSchema = z.enum(['xl', 'xm']);
export type ToolstackKind = z.infer<typeof ToolstackKindSchema>;

export const ProblemSchema = z.strictObject({
  /** one of the catalog's codes (shared/errors.ts) */
  code: ErrorCodeSchema,
  /** which tool or file the problem is about */
  source: z.string(),
  message: z.string(),
});

export const DomainSchema = z.strictObject({
  /** name as the toolstack prints it, e.g. "web1--incoming" or "(null)" */
  name: z.string(),
  /** the domU's own name with a migration suffix removed; null for "(null)" dying rows */
  baseName: z.string().nullable(),
  /** null on xm for a managed domain that is not running */
  domid: z.number().int().nonnegative().nullable(),
  memMiB: z.number().int().nonnegative(),
  vcpus: z.number().int().nonnegative(),
  /** the six state letters exactly as printed, e.g. "-b----" or "---sr-" */
  stateLetters: z.string(),
  state: DomainStateSchema,
  shutdownReason: z.enum(['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset']).nullable(),
  migration: DomainMigrationSchema.nullable(),
  cpuTimeS: z.number().nonnegative(),
});

/**
 * One DRBD resource as xenherd reads it. The state words are the tools' own (shared/drbd-words.ts),
 * typed all the way into the autostart decision; null where the tool printed none.
 */
export const DrbdResourceViewSchema = z.strictObject({
  name: z.string(),
  /** false when the resource is not configured in the kernel ("Unconfigured" / not up) */
  up: z.boolean(),
  role: DrbdRoleSchema.nullable(),
  /** for DRBD 8.4 the single peer; for 9 the first peer (all peers in `peers`) */
  peerRole: DrbdRoleSchema.nullable(),
  connection: DrbdConnectionWordSchema.nullable(),
  disk: DrbdDiskStateSchema.nullable(),
  peerDisk: DrbdDiskStateSchema.nullable(),
  peers: z.array(
    z.strictObject({
      name: z.string(),
      role: DrbdRoleSchema.nullable(),
      connection: DrbdConnectionWordSchema.nullable(),
      disk: DrbdDiskStateSchema.nullable(),
      replication: DrbdReplicationWordSchema.nullable(),
      syncedPercent: z.number().nullable(),
      /** true: connected and diskless by its configuration (DRBD 9's `peer-client:yes`, a tiebreaker), not a disk that failed */
      client: z.literal(true).optional(),
    }),
  ),
  /** true: this Dom0's disk of it is Diskless by its configuration (DRBD 9's `client:yes`): a DRBD client holding no copy */
  client: z.literal(true).optional(),
});

export const GuardedDomuSchema = z.strictObject({
  name: z.string(),
  configPath: z.string(),
  memMiB: z.number().nullable(),
  vcpus: z.number().nullable(),
  drbdResources: z.array(z.string()),
  /** null when the domains could not be listed (see problems): unknown, not "not running" */
  runningHere: z.boolean().nullable(),
  /** null when the config could not be read (see problems) */
  error: z.string().nullable(),
});

/**
 * A standby replica: a domU homed on another Dom0 whose config is in this host's config dir and
 * whose every DRBD resource names this host in its `.res` file, so it could run here.
 */
export const StandbyDomuSchema = z.strictObject({
  name: z.string(),
  configPath: z.string(),
  drbdResources: z.array(z.string()),
  /** the other host of its DRBD resources when their `.res` files name exactly one; else null */
  home: z.string().nullable(),
  /** every other host its `.res` files name */
  otherHosts: z.array(z.string()),
  /** null when the domains could not be listed (see problems) */
  runningHere: z.boolean().nullable(),
});

export const InventorySchema = z.strictObject({
  schema: z.literal(INVENTORY_SCHEMA_VERSION),
  host: z.string(),
  takenAt: z.string(),
  /** the agent config file this read used (the daemon's dirs and toolstack); null: the defaults */
  config: z.string().nullable(),
  toolstack: z.strictObject({
    kind: ToolstackKindSchema,
    xenVersion: z.string().nullable(),
    totalMemMiB: z.number().nullable(),
    freeMemMiB: z.number().nullable(),
    cpus: z.number().nullable(),
  })
    .nullable(),
  /** null when the toolstack could not list them (see problems) */
  domains: z.array(DomainSchema).nullable(),
  drbd: z.strictObject({
    /** "ok"; or tools missing, module not loaded; or "unknown": the check itself failed (see problems) */
    availability: z.enum(['ok', 'tools-missing', 'module-not-loaded', 'unknown']),
    version: z.string().nullable(),
    resources: z.array(DrbdResourceViewSchema),
    /** resources whose state could not be read (see problems) */
    unreadable: z.array(z.string()),
  }),
  guardedDir: z.string(),
  guarded: z.array(GuardedDomuSchema),
  /** where domU configs of every Dom0 live (`migration.configDir`): standby replicas are found there */
  configDir: z.string(),
  standby: z.array(StandbyDomuSchema),
  problems: z.array(ProblemSchema),
});

export type Inventory = z.infer<typeof InventorySchema>;
export type InventoryDomain = z.infer<typeof DomainSchema>;
export type DrbdResourceView = z.infer<typeof DrbdResourceViewSchema>;
export type GuardedDomu = z.infer<typeof GuardedDomuSchema>;
export type StandbyDomu = z.infer<typeof StandbyDomuSchema>;
