import * as z from 'zod';
import { DRBD_RESOURCE_RE, DOMU_NAME_RE, HOST_NAME_RE } from '../names.js';
import { DomainMigrationSchema, DomainStateSchema } from '../domain-words.js';

/**
 * The values of the agent link that the operator API carries too (`where`, `hosts`, `domains`):
 * names, a domain row, a guarded domU's decision, a ledger's away record, the maintenance flag.
 * agent-link-state.ts builds the whole host state from them; they live apart so that a command
 * like `xenherdctl where` builds only these schemas, not every one of the host state's.
 */

/** Upper bounds, far above any real Dom0 (the controller's memory is shared by 2,000 hosts). */
export const LINK_LIMITS = {
  domains: 4096,
  guarded: 4096,
  resources: 8192,
  peers: 32,
  ledgerEntries: 4096,
  homes: 4096,
  capabilities: 32,
  text: 2000,
} as const;

/** A domU's own name: never with libxl's migration suffix (that is a row name, see DomainRowNameSchema). */
export const BASE_NAME_RE = new RegExp(`^(?!.*--(?:incoming|migratedaway)$)${DOMU_NAME_RE.source.slice(1)}`);
export const DomuNameSchema = z.string().regex(BASE_NAME_RE, 'a domU name (without --incoming / --migratedaway)');
export const HostNameSchema = z.string().regex(HOST_NAME_RE, 'a host name');
/** the longest toolstack row name taken */
export const ROW_NAME_MAX = 80;
/** A toolstack row name NAME is a domU name, possibly with libxl's migration suffix. */
export const isRowName = (n: string): boolean => DOMU_NAME_RE.test(n.replace(/--(incoming|migratedaway)$/, ''));
/** A toolstack row name: a domU name, possibly with libxl's migration suffix. */
export const DomainRowNameSchema = z.string().max(ROW_NAME_MAX).refine(isRowName, 'a domU name, optionally ending in --incoming or --migratedaway');
/** the longest ISO time taken */
export const ISO_TIME_MAX = 40;
/** ISO-8601 times as the agent stores them (ledger, autostart decisions). */
export const IsoTimeSchema = z.string().min(1).max(ISO_TIME_MAX);
/** Operation ids as the ledger stores them (whatever an older agent or a hand edit put there). */
export const OperationIdSchema = z.string().min(1).max(100);
/**
 * The operation ids a new operation may take: the CLI's --operation-id rule (they go into argv,
 * where a leading "-" would read as an option, and into files).
 */
export const OPERATION_ID_RE = /^[A-Za-z0-9._:][A-Za-z0-9._:-]{0,99}$/;
export const NewOperationIdSchema = z.string().regex(OPERATION_ID_RE, 'an operation id of letters, digits and . _ : - (not first), at most 100');
/** Free text from an agent (a decision's detail, an alarm's message). */
export const LinkTextSchema = z.string().max(LINK_LIMITS.text);

export const LinkToolstackSchema = z.enum(['xl', 'xm']).nullable();
/**
 * The hypervisor's release as `xl info` or `xm info` prints it: xen_major, xen_minor, and the whole
 * version (xen_version, else major.minor and xen_extra: "4.17.5", "4.4.3-12.el6"). A live migration
 * goes to the same major.minor or a newer one: the older release's tools refuse the newer stream.
 */
export const LinkXenSchema = z.strictObject({ major: z.number().int().nonnegative().max(999), minor: z.number().int().nonnegative().max(999), version: z.string().min(1).max(64) });
export type LinkXen = z.infer<typeof LinkXenSchema>;
/**
 * Free memory is the agent's estimate: its last `xl info` free_memory moved by the memory of domUs
 * created or gone since (agent/core/host-state.ts). Two reads apart (xl list, xl info) and xl
 * list's Mem (a target, not pages held: populate-on-demand) can push it past total_memory for a
 * while, so more than total is not refused (that would cut an honest agent's link); it is
 * capped at total, where it cannot mislead a plan into a room no host has.
 */
export const LinkMemorySchema = z
  .strictObject({ totalMiB: z.number().int().nonnegative().nullable(), freeMiB: z.number().int().nonnegative().nullable() })
  .transform((m) => (m.totalMiB !== null && m.freeMiB !== null && m.freeMiB > m.totalMiB ? { ...m, freeMiB: m.totalMiB } : m));

export const MaintenanceSchema = z.strictObject({
  state: z.enum(['online', 'draining', 'maintenance', 'restoring']),
  /** the drain/restore operation that owns the state; null when online */
  operationId: OperationIdSchema.nullable(),
  /** who started it (operator or controller identity); null when online */
  owner: z.string().max(200).nullable(),
});
export type Maintenance = z.infer<typeof MaintenanceSchema>;
export const ONLINE: Maintenance = { state: 'online', operationId: null, owner: null };

const MIGRATION_SUFFIXES = ['--incoming', '--migratedaway'] as const;
const XEND_PREFIXES = ['migrating-', 'Zombie-'] as const;

/**
 * The domU names a toolstack row NAME can stand for, as the agent reads them (agent/parse/xl-state.ts
 * splitDomainName, agent/parse/xm-list.ts): NAME minus libxl's `--incoming` / `--migratedaway`, or
 * xend's `migrating-` (leaving) and `Zombie-` (dying) prefixes; else NAME itself.
 */
export function baseNamesOf(name: string): string[] {
  const out: string[] = [];
  for (const suffix of MIGRATION_SUFFIXES) if (name.endsWith(suffix) && name.length > suffix.length) out.push(name.slice(0, -suffix.length));
  if (out.length > 0) return out;
  for (const prefix of XEND_PREFIXES) if (name.startsWith(prefix) && name.length > prefix.length) out.push(name.slice(prefix.length));
  return [...out, name];
}

/**
 * BASENAME is one of baseNamesOf(NAME), told without making that list: every domain row an agent
 * sends is checked so. Domain-0 (the host itself; today's agents leave it out) is never read as a
 * domU: its baseName is unused.
 */
export function isRowsDomU(name: string, baseName: string): boolean {
  if (name === 'Domain-0') return true;
  for (const suffix of MIGRATION_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) return baseName.length === name.length - suffix.length && name.startsWith(baseName);
  }
  if (baseName === name) return true;
  for (const prefix of XEND_PREFIXES) {
    if (name.startsWith(prefix) && name.length > prefix.length && baseName.length === name.length - prefix.length && name.endsWith(baseName)) return true;
  }
  return false;
}

/**
 * One row of `xl list` / `xm list`. The agent leaves out Domain-0 and dying `(null)` rows.
 * `NAME--incoming` / `NAME--migratedaway` rows carry their domU's name in `baseName`: a row
 * whose baseName is not its name's is refused, or where a domU runs would be told two ways
 * (`where` goes by baseName, `domains` shows the row).
 */
export const LinkDomainSchema = z
  .strictObject({
    name: DomainRowNameSchema,
    baseName: DomuNameSchema,
    domid: z.number().int().nonnegative().nullable(),
    state: DomainStateSchema,
    memMiB: z.number().int().nonnegative(),
    vcpus: z.number().int().nonnegative(),
    migration: DomainMigrationSchema.nullable(),
    /**
     * since when Xen has run the domain on this Dom0 (libxl's start_time: its creation here, or its
     * arrival by migration), on the agent's clock; only to a controller that accepts link feature
     * `domain-started` (an older one refuses the key), absent while not known
     */
    startedAt: IsoTimeSchema.optional(),
  })
  .refine((d) => isRowsDomU(d.name, d.baseName), {
    path: ['baseName'],
    message: "not the row's domU: baseName must be name without --incoming / --migratedaway (xm: without migrating- / Zombie-)",
  });
export type LinkDomain = z.infer<typeof LinkDomainSchema>;

/** A guarded domU (config in the guarded-autostart dir) and what autostart decided for it. */
export const LinkGuardedSchema = z.strictObject({
  name: DomuNameSchema,
  decision: z.enum(['running', 'start', 'skip', 'defer', 'unknown']),
  /** skip/defer reason word (e.g. "peer-primary"); null for running/start */
  reason: z.string().max(100).nullable(),
  detail: LinkTextSchema,
  since: IsoTimeSchema,
  drbdResources: z.array(z.string().regex(DRBD_RESOURCE_RE, 'a DRBD resource name')).max(64),
});
export type LinkGuarded = z.infer<typeof LinkGuardedSchema>;

export const MigrationReasonSchema = z.enum(['manual', 'drain', 'rebalance', 'reverse']);
/** Which command a ledger's unsettled migration came from. */
export const MigrationOperationSchema = z.enum(['migrate', 'reverse', 'migrate2']);
export type MigrationOperation = z.infer<typeof MigrationOperationSchema>;
export type MigrationReason = z.infer<typeof MigrationReasonSchema>;

/** The agent's ledger (agent/state/ledger.ts), as reported: away = left this home; visitors = here from elsewhere. */
export const LinkAwaySchema = z.strictObject({ home: HostNameSchema, currentHost: HostNameSchema, since: IsoTimeSchema, operationId: OperationIdSchema, reason: MigrationReasonSchema });
export type LinkAway = z.infer<typeof LinkAwaySchema>;
