/**
 * The simulated cluster, as plain data. Every operation (ops/) is a pure function from one
 * SimState to the next; renderers (render/) turn a read-only view of it into tool output.
 */
export type Toolstack = 'xl' | 'xm';
export type DrbdMajor = '8.4' | '9';
export type Role = 'Primary' | 'Secondary';
/**
 * A replica's disk in DRBD's words. The sim's operations reach UpToDate, Outdated and Diskless,
 * and on the way to Diskless Failed (an I/O error; 8.4's `drbdadm detach` too) or Detaching (9's
 * `drbdadm detach`); Inconsistent, Attaching and Negotiating only through `force`, so the parsers'
 * tests can read every word the tools print.
 */
export type DiskState = 'UpToDate' | 'Outdated' | 'Inconsistent' | 'Diskless' | 'Failed' | 'Detaching' | 'Attaching' | 'Negotiating';
/** connected: both ends talk; connecting: waiting for the peer (8.4 WFConnection); cut: link down by fault. */
export type LinkState = 'connected' | 'connecting' | 'cut';

export interface HostState {
  readonly name: string;
  readonly totalMiB: number;
  readonly dom0MiB: number;
  /** memory the hypervisor itself holds (xl info free_memory = total - dom0 - domUs - this) */
  readonly overheadMiB: number;
  readonly cpus: number;
  readonly dom0Vcpus: number;
  /** values for `xl info` keys that differ from the renderer's defaults (release, cc_compiler, ...) */
  readonly info: Readonly<Record<string, string>>;
  readonly power: 'on' | 'off';
  readonly toolstack: Toolstack;
  /** e.g. "4.17.5" */
  readonly xenVersion: string;
  readonly drbd: DrbdMajor | null;
  /** full module version printed by /proc/drbd and events, e.g. "8.4.11" or "9.0.32-1" */
  readonly drbdVersion: string;
  readonly drbdModuleLoaded: boolean;
  readonly nextDomid: number;
  readonly dom0CpuS: number;
  /** fleet says whether the agent finds /etc/xen/migrate-tab.txt here */
  readonly migrateTab: boolean;
  /** 'stopped': xenstored is not running (killed, or not started at boot); absent: it runs */
  readonly xenstored?: 'stopped';
  /** the filesystem under the agent's state and runtime dirs is full or read-only (model/state-disk.ts); absent: it has room */
  readonly stateDisk?: StateDiskFault;
}

export type StateDiskFault = 'full' | 'low' | 'read-only';

export type RunState = 'running' | 'blocked' | 'paused' | 'suspended' | 'dying';

/** xl.cfg's `type =` (libxl_domain_type): what `xl list -l` prints and how libxc saves the guest */
export type DomainType = 'pv' | 'pvh' | 'hvm';

/**
 * What a domU's config set that libxl keeps and `xl list -l` prints back (libxl stores the config
 * xl parsed, not libxl's defaults). Enum values as libxl's JSON spells them ("soft_reset").
 */
export interface GuestConfig {
  readonly type: DomainType;
  readonly kernel: string | null;
  readonly ramdisk: string | null;
  readonly cmdline: string | null;
  readonly bootloader: string | null;
  /** null: not set, libxl's "default" (left out of the JSON) */
  readonly tscMode: string | null;
  readonly onPoweroff: string;
  readonly onReboot: string;
  readonly onWatchdog: string;
  readonly onCrash: string;
  readonly onSoftReset: string;
  /** the `vif =` list; libxl copies the devid, MAC and nictype it settled on into what it stores */
  readonly nics: readonly NicConfig[];
}

/**
 * One `vif =` entry as xl 4.17.7 parsed it (tools/xl/xl_parse.c parse_nic_config), in
 * libxl_device_nic's field order (tools/libs/light/libxl_types.idl). null, 0 and -1 are libxl's
 * "not set", which its JSON leaves out.
 */
export interface NicConfig {
  readonly backendDomname: string | null;
  readonly devid: number;
  readonly mtu: number;
  readonly model: string | null;
  /** "00:16:3e:…" as libxl prints it (lower case); null until libxl draws one at creation */
  readonly mac: string | null;
  readonly ip: string | null;
  readonly bridge: string | null;
  readonly ifname: string | null;
  readonly script: string | null;
  /** libxl_nic_type as its JSON spells it; null (UNKNOWN) until libxl picks one at creation */
  readonly nictype: 'vif' | 'vif_ioemu' | null;
  readonly gatewaydev: string | null;
  readonly trusted: boolean | null;
}

export interface DomainState {
  /** as printed, including "--incoming"/"--migratedaway" */
  readonly name: string;
  readonly domid: number;
  readonly host: string;
  readonly memMiB: number;
  readonly vcpus: number;
  readonly run: RunState;
  readonly cpuTimeS: number;
  readonly uuid: string;
  /** DRBD resources of its disks, in disk order (xvda, xvdb, ...) */
  readonly drbd: readonly string[];
  /** config file the domain was created from (host path), null when unknown */
  readonly configPath: string | null;
  readonly guest: GuestConfig;
  /** an incoming migration still receiving memory: xl list shows Mem 0 and VCPUs 0 (lab capture 11) */
  readonly restoring?: boolean;
}

export interface ReplicaState {
  readonly role: Role;
  readonly disk: DiskState;
}

export interface DrbdResource {
  readonly name: string;
  readonly minor: number;
  readonly port: number;
  /** exactly two nodes */
  readonly nodes: readonly [string, string];
  /** replica state per node; a node whose host is off or whose resource is down has no entry */
  readonly replicas: Readonly<Record<string, ReplicaState>>;
  readonly link: LinkState;
  /** nodes that dropped the connection and sit in StandAlone (split brain, or `disconnect`) */
  readonly standalone: readonly string[];
  /**
   * The two replicas' data diverged (a split brain): until one side discards its data, every
   * handshake ends in "Split-Brain detected but unresolved, dropping connection!", whatever the
   * network does. Kept apart from `link`, which says whether the network lets them talk.
   */
  readonly diverged: boolean;
  /**
   * Nodes that have been Primary while not connected since the last handshake (each took writes
   * its peer lacks, a new current UUID in DRBD's words): both of them make the next handshake a
   * split brain, as a partition healing under two Primaries does.
   */
  readonly primaryApart: readonly string[];
  /** nodes that ran `drbdadm connect --discard-my-data` since their last handshake (the kernel's DISCARD_MY_DATA flag) */
  readonly discardMyData: readonly string[];
  readonly allowTwoPrimaries: boolean;
}

export type MigrationPhase = 'transfer' | 'handshake';
export type MigrationFaultPhase = 'before' | 'target' | 'handshake';

export interface Migration {
  readonly id: number;
  readonly domain: string;
  readonly from: string;
  readonly to: string;
  readonly startedAt: number;
  readonly phase: MigrationPhase;
  readonly toolstack: Toolstack;
}

/** A domU as the fleet file describes it: what the configs on disk say. */
export interface DomuDef {
  readonly name: string;
  readonly memMiB: number;
  readonly vcpus: number;
  readonly home: string;
  readonly peer: string | null;
  readonly drbd: readonly string[];
  /** the config's `type =` line; null writes none (xl's default, pv on x86) */
  readonly type: DomainType | null;
}

export interface SimState {
  /** simulated wall clock, ms since the epoch */
  readonly now: number;
  readonly hosts: Readonly<Record<string, HostState>>;
  readonly domains: readonly DomainState[];
  readonly drbd: Readonly<Record<string, DrbdResource>>;
  /** per host: xenstore path → value */
  readonly xenstore: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly migrations: readonly Migration[];
  readonly domus: Readonly<Record<string, DomuDef>>;
  /** migration copy speed, MiB per simulated second */
  readonly bandwidthMiBps: number;
  /** how long a DRBD connection takes to come up after a power-on or a reconnect */
  readonly connectDelayMs: number;
  readonly nextMigrationId: number;
}

export const MIGRATION_SUFFIXES = ['--incoming', '--migratedaway'] as const;

/** "web1--incoming" → "web1"; "(null)" → null */
export function baseName(name: string): string | null {
  if (name === '(null)') return null;
  for (const s of MIGRATION_SUFFIXES) if (name.endsWith(s)) return name.slice(0, -s.length);
  return name;
}
