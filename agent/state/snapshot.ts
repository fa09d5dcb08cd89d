import type { ConfigPlace } from './config-place.js';
import type { UnsettledRecord } from './ledger.js';
import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';

/**
 * What the daemon knows about this host at one instant, as plain data: the autostart decision
 * reads nothing else. Each part is kept current by its own source (xl list + xenstore-watch,
 * drbdsetup events2 or polling, the guarded dir, the state dir).
 */
export interface GuardedEntry {
  readonly name: string;
  /** host path of the config, what `xl create` is given */
  readonly configPath: string;
  readonly drbdResources: readonly string[];
  /** the config could not be read or parsed: never started */
  readonly error: string | null;
  /**
   * who can change the config: its mode and owner, its dir's and those above it, as read (the
   * decision refuses one others can change: decide/config-safety.ts); absent: not judged (the host
   * adapter sets it on every config it reads; an entry with an error is never started anyway)
   */
  readonly place?: ConfigPlace;
}

export type DrbdAvailabilityWord = 'ok' | 'tools-missing' | 'module-not-loaded' | 'unknown';

export interface HostSnapshot {
  readonly host: string;
  /** null while `xl list` could not be read */
  readonly domains: readonly InventoryDomain[] | null;
  readonly guarded: readonly GuardedEntry[];
  readonly maintenance: boolean;
  /** the ledger: domU → host it was migrated to */
  readonly awayTo: ReadonlyMap<string, string>;
  /** the ledger's migrations from here that ended in an ALARM, by domU (absent: none) */
  readonly unsettled?: Readonly<Record<string, UnsettledRecord>>;
  /** the ledger could not be read (corrupt): nothing is started until an operator fixes it */
  readonly ledgerProblem?: string | null;
  /** the controller's fleet view (domU → hosts running it), null when absent or stale */
  readonly fleetRunningOn: ReadonlyMap<string, readonly string[]> | null;
  /** hosts of that view the controller no longer hears from → ms unheard (their rows are a last report); absent: none */
  readonly fleetSilent?: ReadonlyMap<string, number> | null;
  /** domU → the Dom0 its config pairs it with (migrate-tab, else its `.res` files' one other host); absent: none known */
  readonly partners?: ReadonlyMap<string, string>;
  /** DRBD resource → the hosts its `.res` names (absent: no `.res` read) */
  readonly resHosts?: ReadonlyMap<string, readonly string[]>;
  /** domUs autostart started or saw running since boot: never started again by autostart */
  readonly handledThisBoot: ReadonlySet<string>;
  /** the record of those could not be read and may be this boot's: autostart starts nothing on its own; absent: read */
  readonly bootRecordLost?: BootRecordLost | null;
  readonly drbd: {
    readonly availability: DrbdAvailabilityWord;
    /** only resources whose state is known now; a missing one defers its domUs */
    readonly resources: ReadonlyMap<string, DrbdResourceView>;
    /** why each guarded resource missing from resources could not be read: the defer carries it to status and check */
    readonly unread?: ReadonlyMap<string, string>;
  };
}

/** Why what autostart handled since boot is not known (agent/run/boot-record.ts `lost`), and what keeps it so. */
export interface BootRecordLost {
  /** naming the record and what became of it */
  readonly why: string;
  /**
   * The file every agent started later this boot finds and takes for a lost record: the copy set
   * aside, or the record itself where it could not be set aside. Moved out of its dir, the next
   * agent starts as if nothing was lost.
   */
  readonly file: string;
}
