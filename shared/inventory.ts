import { z } from 'zod';

/**
 * What `xenherd-agent inventory --json` prints: one read of a Dom0 as xenherd sees it. The same
 * shape feeds the agent's snapshot later, so it is versioned.
 */
export const INVENTORY_SCHEMA_VERSION = 1;

export const ProblemSchema = z
  .object({
    code: z.string(),
    /** which tool or file the problem is about */
    source: z.string(),
    message: z.string(),
  })
  .strict();

export const DomainSchema = z
  .object({
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
    state: z.enum(['running', 'blocked', 'paused', 'shutdown', 'crashed', 'dying', 'idle', 'stopped']),
    shutdownReason: z.enum(['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset']).nullable(),
    migration: z.enum(['incoming', 'migratedaway']).nullable(),
    cpuTimeS: z.number().nonnegative(),
  })
  .strict();

export const DrbdResourceViewSchema = z
  .object({
    name: z.string(),
    /** false when the resource is not configured in the kernel ("Unconfigured" / not up) */
    up: z.boolean(),
    role: z.string().nullable(),
    /** for DRBD 8.4 the single peer; for 9 the first peer (all peers in `peers`) */
    peerRole: z.string().nullable(),
    connection: z.string().nullable(),
    disk: z.string().nullable(),
    peerDisk: z.string().nullable(),
    peers: z.array(
      z
        .object({
          name: z.string(),
          role: z.string().nullable(),
          connection: z.string().nullable(),
          disk: z.string().nullable(),
          replication: z.string().nullable(),
          syncedPercent: z.number().nullable(),
        })
        .strict(),
    ),
  })
  .strict();

export const GuardedDomuSchema = z
  .object({
    name: z.string(),
    configPath: z.string(),
    memMiB: z.number().nullable(),
    vcpus: z.number().nullable(),
    drbdResources: z.array(z.string()),
    runningHere: z.boolean(),
    /** null when the config could not be read (see problems) */
    error: z.string().nullable(),
  })
  .strict();

export const InventorySchema = z
  .object({
    schema: z.literal(INVENTORY_SCHEMA_VERSION),
    host: z.string(),
    takenAt: z.string(),
    toolstack: z
      .object({
        kind: z.enum(['xl', 'xm']),
        xenVersion: z.string().nullable(),
        totalMemMiB: z.number().nullable(),
        freeMemMiB: z.number().nullable(),
        cpus: z.number().nullable(),
      })
      .strict()
      .nullable(),
    domains: z.array(DomainSchema),
    drbd: z
      .object({
        /** "ok", or why DRBD state could not be read: tools missing, module not loaded */
        availability: z.enum(['ok', 'tools-missing', 'module-not-loaded']),
        version: z.string().nullable(),
        resources: z.array(DrbdResourceViewSchema),
      })
      .strict(),
    guardedDir: z.string(),
    guarded: z.array(GuardedDomuSchema),
    problems: z.array(ProblemSchema),
  })
  .strict();

export type Inventory = z.infer<typeof InventorySchema>;
export type InventoryDomain = z.infer<typeof DomainSchema>;
export type DrbdResourceView = z.infer<typeof DrbdResourceViewSchema>;
export type GuardedDomu = z.infer<typeof GuardedDomuSchema>;
