/**
 * The kinds of problem `check` finds, and the words for many of one kind. The controller counts
 * them by kind on the status line; xenherdctl folds a kind with many problems into one line of the
 * long output. Both sides need the same words, so they live here, as plain values (no schema).
 */
/**
 * In the order check ranks them within a status: the controller's own certificate (when it goes,
 * every link goes), then what means two copies of a domU or a migration nobody knows the end of
 * (a split brain in the making: a pager must show it whatever else is wrong), then a Dom0 whose
 * agent reports a domU it holds nothing of (misconfigured or compromised), then the hosts nobody
 * hears from (and, within the start-up grace, one not reported yet whose DRBD partners say its domUs
 * may be down with it), and those heard from that cannot list their domains or write their records, then a domU whose guest crashed
 * (down, its domain kept) and a guarded one that stopped with nobody of the fleet asking (down, its
 * domain gone), then the rest.
 */
export const CHECK_KINDS = [
  'controller-certificate',
  'running-on-two-hosts',
  'drbd-primary-on-both',
  'migration-stranded',
  'migration-unsettled',
  'foreign-claim',
  'host-unreachable',
  'host-not-reported',
  'hosts-not-reported',
  'host-unreachable-in-maintenance',
  'agent-stopped',
  'reports-elsewhere',
  'view-not-current',
  'state-disk-failed',
  'domu-crashed',
  'down-guarded',
  'down-ledger-says-away',
  'home-claimed-twice',
  'ledger-away-not-there',
  'away-unrecorded',
  'start-deferred',
  'down-in-maintenance',
  'not-home-too-long',
  'away-from-home',
  'drbd-degraded',
  'clock-off',
  'state-disk-low',
  'maintenance-without-job',
  'maintenance-long',
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export interface KindWords {
  /** after a count of 1 and of more: "1 host unreachable", "50 hosts unreachable" */
  readonly one: string;
  readonly many: string;
  /** the command that lists every one of them, for a line that names only some */
  readonly listedBy: string;
}

const CHECK_JSON = 'xenherdctl check --json';
const STATUS = 'xenherdctl status';
const WHERE = "xenherdctl where '*'";
const HOSTS = 'xenherdctl hosts';

/**
 * null: a kind that is one problem by nature (the controller's own certificate; enrolled hosts not
 * reported yet, already counted in its own words), said as it is, never counted.
 */
export const CHECK_KIND_WORDS: Readonly<Record<CheckKind, KindWords | null>> = {
  'controller-certificate': null,
  'running-on-two-hosts': { one: 'domU running on two hosts', many: 'domUs running on two hosts', listedBy: STATUS },
  'drbd-primary-on-both': { one: 'DRBD resource Primary on two hosts', many: 'DRBD resources Primary on two hosts', listedBy: STATUS },
  'migration-stranded': { one: 'migration stranded', many: 'migrations stranded', listedBy: STATUS },
  'migration-unsettled': { one: 'migration ended unknown', many: 'migrations ended unknown', listedBy: STATUS },
  'foreign-claim': { one: 'claim from a Dom0 holding nothing of its domU', many: 'claims from Dom0s holding nothing of their domUs', listedBy: STATUS },
  'down-ledger-says-away': { one: "domU down that its home's ledger calls away", many: "domUs down that their homes' ledgers call away", listedBy: STATUS },
  'host-unreachable': { one: 'host unreachable', many: 'hosts unreachable', listedBy: STATUS },
  'host-unreachable-in-maintenance': { one: 'host unreachable in maintenance', many: 'hosts unreachable in maintenance', listedBy: STATUS },
  'host-not-reported': { one: 'Dom0 not reported yet whose domUs may be down', many: 'Dom0s not reported yet whose domUs may be down', listedBy: STATUS },
  'hosts-not-reported': null,
  'agent-stopped': { one: 'agent stopped cleanly (restarting?)', many: 'agents stopped cleanly (restarting?)', listedBy: HOSTS },
  'reports-elsewhere': { one: 'host reporting to another controller', many: 'hosts reporting to another controller', listedBy: HOSTS },
  'view-not-current': { one: 'host not listing its domains', many: 'hosts not listing their domains', listedBy: HOSTS },
  'state-disk-failed': { one: 'host whose agent cannot write its records', many: 'hosts whose agents cannot write their records', listedBy: HOSTS },
  'domu-crashed': { one: 'domU crashed', many: 'domUs crashed', listedBy: CHECK_JSON },
  'down-guarded': { one: 'guarded domU down', many: 'guarded domUs down', listedBy: CHECK_JSON },
  'home-claimed-twice': { one: 'domU claimed as home twice', many: 'domUs claimed as home twice', listedBy: STATUS },
  'ledger-away-not-there': { one: "domU not where its home's ledger says", many: "domUs not where their homes' ledgers say", listedBy: STATUS },
  'away-unrecorded': { one: 'domU away with no ledger record', many: 'domUs away with no ledger record', listedBy: STATUS },
  'start-deferred': { one: 'domU start deferred', many: 'domU starts deferred', listedBy: CHECK_JSON },
  'down-in-maintenance': { one: 'domU down on a Dom0 in maintenance', many: 'domUs down on Dom0s in maintenance', listedBy: CHECK_JSON },
  'not-home-too-long': { one: 'domU away from home too long', many: 'domUs away from home too long', listedBy: WHERE },
  'away-from-home': { one: 'domU away from home', many: 'domUs away from home', listedBy: WHERE },
  'drbd-degraded': { one: 'DRBD resource degraded', many: 'DRBD resources degraded', listedBy: CHECK_JSON },
  'clock-off': { one: 'Dom0 clock off', many: 'Dom0 clocks off', listedBy: CHECK_JSON },
  'state-disk-low': { one: "agent's records nearly out of space", many: "agents' records nearly out of space", listedBy: HOSTS },
  'maintenance-without-job': { one: 'host left draining or restoring', many: 'hosts left draining or restoring', listedBy: STATUS },
  'maintenance-long': { one: 'host long in maintenance', many: 'hosts long in maintenance', listedBy: HOSTS },
};

/** Words for a kind this build may not know (a newer controller's): still counted, never dropped. */
export const kindWords = (kind: string): KindWords | null =>
  Object.hasOwn(CHECK_KIND_WORDS, kind) ? CHECK_KIND_WORDS[kind as CheckKind] : { one: `problem of kind ${kind}`, many: `problems of kind ${kind}`, listedBy: CHECK_JSON };

/** "1 host unreachable", "50 hosts unreachable" */
export const countedKind = (n: number, w: KindWords): string => `${n} ${n === 1 ? w.one : w.many}`;
