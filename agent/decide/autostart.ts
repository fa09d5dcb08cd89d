import { spanText } from '../../shared/text/span-text.js';
import { connectionAsPrinted, type DrbdReplicationWord } from '../../shared/drbd-words.js';
import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';
import { partnerMissing } from './partner-missing.js';

/**
 * Guarded autostart, the xen-drbd-auto init script made stricter: a pure decision per guarded domU
 * over one snapshot of this host. No I/O here; the executor acts on the answer.
 *
 * The rule that matters most: a peer holding any of the domU's resources Primary means the domU
 * may be running there, and starting it here would split the brain. Everything that is not
 * positively safe is "defer" (re-decided on the next event), never "start".
 */

export type SkipReason =
  | 'migrating-away'
  | 'maintenance'
  | 'migrated-away'
  | 'running-elsewhere'
  | 'peer-primary'
  /** a migration of it from here ended in an ALARM and no one has settled it: it may run on the peer */
  | 'unsettled'
  /** autostart already started it, or saw it running, since this Dom0 booted: an operator stopped it since */
  | 'handled-this-boot';

export type DeferReason =
  | 'domains-unknown'
  /** the migration ledger is unreadable: whether a domU left cannot be known, so none is started */
  | 'ledger-unreadable'
  /** the record of what autostart handled this boot was lost: whether an operator stopped it since cannot be known */
  | 'boot-record-lost'
  | 'config-unreadable'
  /** others can change the config (its mode or owner, or its dir's): it runs as root, so it is not started */
  | 'config-unsafe'
  /** two files of the guarded dir define it: which one to start cannot be known */
  | 'config-duplicate'
  | 'drbd-tools-missing'
  | 'drbd-module-not-loaded'
  | 'resource-unknown'
  | 'resource-not-up'
  | 'local-primary'
  | 'local-role-unknown'
  | 'no-peer'
  /** the domU's partner (its home or peer by its config) has no connection in the kernel at all */
  | 'peer-missing'
  | 'peer-not-connected'
  | 'peer-role-unknown'
  | 'syncing'
  | 'local-disk-not-uptodate'
  /** this Dom0 is a DRBD client of the resource (diskless by its configuration): the domU would run on a peer's disk over the network */
  | 'local-client';

export type AutostartDecision =
  | { readonly kind: 'running'; readonly detail: string }
  | { readonly kind: 'start'; readonly detail: string }
  | {
      readonly kind: 'skip';
      readonly reason: SkipReason;
      readonly detail: string;
      readonly splitBrainHazard: boolean;
      /**
       * running-elsewhere where every host seen running it is one the controller no longer hears
       * from, or migrated-away to such a host (or with no controller to ask): the decision with
       * those reports and that record set aside, which `--force` is judged by (the host may be
       * dead; an operator who checked may start it here, the DRBD rules still apply)
       */
      readonly withoutSilent?: AutostartDecision;
    }
  | {
      readonly kind: 'defer';
      readonly reason: DeferReason;
      readonly detail: string;
      /** set when a resource sits StandAlone: DRBD dropped the link (split brain, or by hand) and only an operator can reconnect it */
      readonly splitBrainSuspected?: true;
    };

/** The skip or defer reason word of a decision, null for running/start. */
export const reasonOf = (d: AutostartDecision | null): string | null => (d && (d.kind === 'skip' || d.kind === 'defer') ? d.reason : null);

export interface AutostartInput {
  readonly name: string;
  /** DRBD resources of the domU's disks, in disk order */
  readonly drbdResources: readonly string[];
  /** this host's domains, as `xl list` shows them */
  readonly domains: readonly InventoryDomain[];
  readonly maintenance: boolean;
  /** the local ledger's record that this domU left for another host (absent: never left) */
  readonly awayTo: string | null;
  /** the ledger's record of a migration of it from here that ended in an ALARM (absent: none) */
  readonly unsettled: { readonly peer: string; readonly since: string; readonly operationId: string } | null;
  /**
   * The controller's view when connected and fresh: the hosts it sees running the domU. null
   * when there is no controller or its view is stale: the DRBD rules alone then decide.
   */
  readonly fleetRunningOn: readonly string[] | null;
  /** the hosts the controller no longer hears from → ms unheard: their rows are only a last report */
  readonly fleetSilent?: ReadonlyMap<string, number> | null;
  readonly localHost: string;
  /**
   * The Dom0 the domU's config pairs it with (migrate-tab's peer, else the one other host of its
   * `.res` files), and the hosts each resource's `.res` names: a partner the kernel holds no
   * connection to is never looked at, so it could hold the resource Primary unseen. Absent: unknown.
   */
  readonly expectedPeer?: { readonly host: string; readonly resHosts: ReadonlyMap<string, readonly string[]> } | null;
  readonly drbd: {
    readonly availability: 'ok' | 'tools-missing' | 'module-not-loaded';
    readonly resources: ReadonlyMap<string, DrbdResourceView>;
    /** why a resource absent from resources could not be read, as far as the agent knows */
    readonly unread?: ReadonlyMap<string, string>;
  };
}

/** A host seen running the domU, with when it was last heard when that report may be stale. */
const reporter = (host: string, silentMs: number | undefined): string =>
  silentMs === undefined ? host : `${host} (its last report: the controller last heard from ${host} ${spanText(silentMs)} ago)`;

/** DRBD 8.4 names its one peer literally "peer" */
const peerLabel = (name: string): string => (name === 'peer' ? 'the peer' : `peer ${name}`);

/** no resync or verify running: Established, or nothing printed (DRBD 9's terse status omits it) */
const REPLICATION_IDLE: ReadonlySet<DrbdReplicationWord | null> = new Set<DrbdReplicationWord | null>(['Established', null]);

/** Why one resource is not positively safe, or null when it is. */
function resourceVerdict(name: string, r: DrbdResourceView, expected: AutostartInput['expectedPeer']): AutostartDecision | null {
  if (!r.up) {
    // `drbdadm up` is the same on 8.4 and 9. At boot drbd.service brought every resource up until
    // drbd-utils 9.31, which disables it (a systemd preset) for one drbd@RES.target per resource
    return {
      kind: 'defer',
      reason: 'resource-not-up',
      detail:
        `DRBD resource ${name} is not up here: bring it up (\`drbdadm up ${name}\`; at boot drbd.service does with drbd-utils before 9.31, ` +
        `drbd@${name}.target from 9.31 on once enabled, \`systemctl enable drbd@${name}.target\`: \`systemctl status drbd drbd@${name}.target\` says whether either ran), then it is decided again`,
    };
  }
  if (r.role === 'Primary') {
    const detail =
      `DRBD resource ${name} is already Primary here without the domU running: something else holds it (a domain of another name, a mount, an operator's \`drbdadm primary ${name}\`); ` +
      `find it (\`xl block-list\` of each domain in \`xl list\`, \`mount\`), end it, then \`drbdadm secondary ${name}\``;
    return { kind: 'defer', reason: 'local-primary', detail };
  }
  if (r.role !== 'Secondary') return { kind: 'defer', reason: 'local-role-unknown', detail: `DRBD resource ${name}: local role is ${r.role ?? 'not reported'}` };
  if (r.peers.length === 0) {
    // DRBD 9 lists no connection when none is configured in the kernel (brought up without its
    // network part, or its peer deleted); `adjust` adds what the .res file describes, on 8.4 too
    const detail =
      `DRBD resource ${name} shows no peer connection: whether ${expected ? `${expected.host}, the domU's partner,` : 'the peer'} holds it Primary cannot be seen from here; ` +
      `check that its .res file in /etc/drbd.d names the peer, then \`drbdadm adjust ${name}\` connects it as configured (a split brain the kernel log shows is resolved first)`;
    return { kind: 'defer', reason: 'no-peer', detail };
  }
  for (const p of r.peers) {
    if (p.connection === 'StandAlone') {
      const detail = `DRBD resource ${name} is StandAlone towards ${peerLabel(p.name)}: DRBD will not reconnect by itself (split brain?); an operator must resolve it`;
      return { kind: 'defer', reason: 'peer-not-connected', detail, splitBrainSuspected: true };
    }
    if (p.connection !== 'Connected') {
      return { kind: 'defer', reason: 'peer-not-connected', detail: `DRBD resource ${name}: ${peerLabel(p.name)} is ${p.connection === null ? 'not connected' : connectionAsPrinted(p.name, p.connection, p.replication)}` };
    }
    if (p.role !== 'Secondary') {
      return { kind: 'defer', reason: 'peer-role-unknown', detail: `DRBD resource ${name}: ${peerLabel(p.name)} role is ${p.role ?? 'not reported'}` };
    }
    if (!REPLICATION_IDLE.has(p.replication)) {
      // an 8.4 peer's in /proc/drbd's words: its handshake (replication Off) is WFReportParams
      const said = connectionAsPrinted(p.name, 'Connected', p.replication);
      return { kind: 'defer', reason: 'syncing', detail: `DRBD resource ${name}: ${said === 'Connected' ? (p.replication ?? '') : said} with ${p.name}${p.syncedPercent === null ? '' : ` (${p.syncedPercent}% done)`}` };
    }
  }
  const missing = partnerMissing(name, r, expected);
  if (missing) return missing;
  if (r.client === true) {
    // a deliberate set-up, not a failed disk: no attach ends it, and a start would put the domU's
    // every read and write on the network to a peer's disk
    const detail =
      `DRBD resource ${name} is diskless here by its configuration (a DRBD client, \`client:yes\`): this Dom0 holds no copy of it, so the domU would run over the network on a peer's disk and autostart does not guard it here; ` +
      `guard it on a Dom0 that holds a disk of ${name} (and remove its config from this Dom0's guarded dir), or start it here by hand if running it over the network is meant`;
    return { kind: 'defer', reason: 'local-client', detail };
  }
  if (r.disk !== 'UpToDate') {
    return { kind: 'defer', reason: 'local-disk-not-uptodate', detail: `DRBD resource ${name}: local disk is ${r.disk ?? 'unknown'}` };
  }
  return null;
}

export function decideAutostart(input: AutostartInput): AutostartDecision {
  const here = input.domains.filter((d) => d.baseName === input.name);
  const leaving = here.find((d) => d.migration === 'migratedaway');
  if (leaving) return { kind: 'skip', reason: 'migrating-away', detail: `${leaving.name} is being migrated away from here`, splitBrainHazard: false };
  const present = here.find((d) => d.state !== 'dying');
  if (present) return { kind: 'running', detail: `${present.name} exists here (${present.state})` };

  if (input.maintenance) return { kind: 'skip', reason: 'maintenance', detail: 'this host is in maintenance', splitBrainHazard: false };
  if (input.unsettled !== null) {
    const u = input.unsettled;
    const detail = `a migration of ${input.name} with ${u.peer} (operation ${u.operationId}, ${u.since}) ended in an ALARM: it may run on ${u.peer}; check both hosts, then \`xenherd-agent reconcile ${input.name}\` here`;
    return { kind: 'skip', reason: 'unsettled', detail, splitBrainHazard: true };
  }
  if (input.awayTo !== null) {
    const silentMs = input.fleetSilent?.get(input.awayTo);
    const skip = { kind: 'skip', reason: 'migrated-away', detail: `the ledger says ${input.name} was migrated to ${reporter(input.awayTo, silentMs)}`, splitBrainHazard: false } as const;
    if (input.fleetRunningOn !== null && silentMs === undefined) return skip;
    // the Dom0 it went to may have died with it, and then nothing here ever starts it again: an
    // operator who checked may (--force), judged by every other rule; never while the controller
    // still hears from that Dom0 (with no controller, the operator's word stands, as for a defer)
    return { ...skip, withoutSilent: decideAutostart({ ...input, awayTo: null }) };
  }
  const elsewhere = (input.fleetRunningOn ?? []).filter((h) => h !== input.localHost);
  if (elsewhere.length > 0) {
    const silent = input.fleetSilent ?? new Map<string, number>();
    const detail = `the controller sees ${input.name} running on ${elsewhere.map((h) => reporter(h, silent.get(h))).join(', ')}`;
    const skip = { kind: 'skip', reason: 'running-elsewhere', detail, splitBrainHazard: false } as const;
    if (elsewhere.some((h) => !silent.has(h))) return skip;
    // a silent host's last report may still be true: never started automatically on it. What an
    // operator's --force would meet is decided without those reports, by every other rule.
    const withoutSilent = decideAutostart({ ...input, fleetRunningOn: (input.fleetRunningOn ?? []).filter((h) => !silent.has(h)) });
    return { ...skip, withoutSilent };
  }
  if (input.drbdResources.length === 0) return { kind: 'start', detail: 'no DRBD disks, not running anywhere known' };

  // the agent reads DRBD's presence again at every full read: `autostart reload` is one now
  if (input.drbd.availability === 'tools-missing') {
    return { kind: 'defer', reason: 'drbd-tools-missing', detail: 'the DRBD tools (drbdadm, drbdsetup) are not installed: install drbd-utils (`apt-get install drbd-utils`), then `xenherd-agent autostart reload`' };
  }
  if (input.drbd.availability === 'module-not-loaded') {
    // the agent never runs drbdadm without /proc/drbd: drbdadm would load the module itself
    const up = `drbdadm up ${input.drbdResources.join(' ')}`;
    return { kind: 'defer', reason: 'drbd-module-not-loaded', detail: `the DRBD kernel module is not loaded (no /proc/drbd), and the agent never loads it: \`modprobe drbd\`, bring up the domU's resources (\`${up}\`), then \`xenherd-agent autostart reload\`` };
  }

  // A peer Primary on any resource is a hazard whatever the others say: check all first.
  for (const name of input.drbdResources) {
    const r = input.drbd.resources.get(name);
    const primaryPeer = r?.peers.find((p) => p.role === 'Primary');
    if (primaryPeer) {
      return {
        kind: 'skip',
        reason: 'peer-primary',
        detail: `DRBD resource ${name} is Primary on ${peerLabel(primaryPeer.name)}: the domU may run there, starting it here would split the brain`,
        splitBrainHazard: true,
      };
    }
  }
  for (const name of input.drbdResources) {
    const r = input.drbd.resources.get(name);
    if (!r) {
      const why = input.drbd.unread?.get(name);
      return { kind: 'defer', reason: 'resource-unknown', detail: `DRBD resource ${name} could not be read${why === undefined ? '' : `: ${why}`}` };
    }
    const verdict = resourceVerdict(name, r, input.expectedPeer);
    if (verdict) return verdict;
  }
  return { kind: 'start', detail: `every DRBD resource (${input.drbdResources.join(', ')}) connected, peer Secondary, local disk UpToDate` };
}
