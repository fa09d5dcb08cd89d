import type { BootRecordLost, HostSnapshot } from '../state/snapshot.js';
import { decideAutostart, type AutostartDecision, type AutostartInput } from './autostart.js';
import { configUnsafe } from './config-safety.js';

/** The decision for every guarded domU of one snapshot, in guarded-dir order. Pure. */
export function decideAll(s: HostSnapshot): Map<string, AutostartDecision> {
  const out = new Map<string, AutostartDecision>();
  const files = new Map<string, string[]>();
  for (const g of s.guarded) files.set(g.name, [...(files.get(g.name) ?? []), g.configPath]);
  for (const g of s.guarded) {
    if (out.has(g.name)) continue; // a duplicate definition: decided once, below
    if (g.error !== null) {
      out.set(g.name, { kind: 'defer', reason: 'config-unreadable', detail: `config ${g.configPath} cannot be read: ${g.error}` });
      continue;
    }
    // judged on the modes and owners read with the config: who can change it runs it as root
    const unsafe = g.place === undefined ? null : configUnsafe(g.place);
    if (unsafe !== null) {
      out.set(g.name, { kind: 'defer', reason: 'config-unsafe', detail: unsafe });
      continue;
    }
    if (s.ledgerProblem) {
      out.set(g.name, { kind: 'defer', reason: 'ledger-unreadable', detail: `the migration ledger is unreadable (${s.ledgerProblem}): whether ${g.name} left this host cannot be known` });
      continue;
    }
    if (s.domains === null) {
      out.set(g.name, { kind: 'defer', reason: 'domains-unknown', detail: 'the toolstack cannot list domains now' });
      continue;
    }
    // 'unknown': DRBD state not read yet (stream restarting): an empty map defers every DRBD domU
    const availability = s.drbd.availability === 'unknown' ? 'ok' : s.drbd.availability;
    const d = decideAutostart({
        name: g.name,
        drbdResources: g.drbdResources,
        domains: s.domains,
        maintenance: s.maintenance,
        awayTo: s.awayTo.get(g.name) ?? null,
        unsettled: s.unsettled?.[g.name] ?? null,
        fleetRunningOn: s.fleetRunningOn?.get(g.name) ?? (s.fleetRunningOn === null ? null : []),
        fleetSilent: s.fleetSilent ?? null,
        localHost: s.host,
        expectedPeer: partnerOf(s, g.name),
        drbd: { availability, resources: s.drbd.resources, ...(s.drbd.unread === undefined ? {} : { unread: s.drbd.unread }) },
    });
    out.set(g.name, finish(d, g.name, files.get(g.name) ?? [], s));
  }
  return out;
}

/** NAME's partner by its config, with the `.res` hosts its DRBD resources name; null when none is known (or it is this Dom0). */
function partnerOf(s: HostSnapshot, name: string): AutostartInput['expectedPeer'] {
  const host = s.partners?.get(name);
  return host === undefined || host === s.host ? null : { host, resHosts: s.resHosts ?? new Map() };
}

/** Why NAME is not started with the boot record LOST, and the two ways on: it should run, or it was stopped on purpose. */
const lostDetail = (name: string, lost: BootRecordLost): string =>
  `what autostart handled since this Dom0 booted is not known (${lost.why}), so it cannot tell whether an operator stopped ${name} this boot or it went down, and does not start it on its own (\`xenherd-agent autostart status\` says how to have it start every guarded domU not running): ` +
  `if it should run, \`xenherd-agent autostart start --force ${name} --reason TEXT\`; if it was stopped on purpose, move its config out of the guarded dir of each Dom0 guarding it, then \`xenherd-agent autostart reload\` there, and this clears`;

/** D with the rules only the whole guarded dir and the boot record know; also what --force would meet under a stale report. */
function finish(d: AutostartDecision, name: string, definedBy: readonly string[], s: Pick<HostSnapshot, 'handledThisBoot' | 'bootRecordLost'>): AutostartDecision {
  if (d.kind === 'skip' && d.withoutSilent !== undefined) return { ...d, withoutSilent: finish(d.withoutSilent, name, definedBy, s) };
  // a defer too: `--force` overrides a defer, and which file it would start cannot be known
  if ((d.kind === 'start' || d.kind === 'defer') && definedBy.length > 1) {
    return { kind: 'defer', reason: 'config-duplicate', detail: `${name} is defined by ${definedBy.length} files of the guarded dir (${definedBy.join(', ')}): which one to start cannot be known; keep one file per domU` };
  }
  if (d.kind !== 'start') return d;
  const lost = s.bootRecordLost ?? null;
  // in doubt, start nothing: the maintenance flag's rule; an operator's --force is the way past it.
  // An operator's stop and a crash look alike now, so the words name the way for either (check's line is these words)
  if (!s.handledThisBoot.has(name) && lost !== null) {
    return { kind: 'defer', reason: 'boot-record-lost', detail: lostDetail(name, lost) };
  }
  if (!s.handledThisBoot.has(name)) return d;
  return {
    kind: 'skip',
    reason: 'handled-this-boot',
    detail: `autostart already started ${name} (or saw it running, here or, as the controller said, elsewhere) since this Dom0 booted; it is not running now, so someone stopped it: start it by hand or with autostart start --force`,
    splitBrainHazard: false,
  };
}

/**
 * A defer `--force` cannot override: what it would start, or whether it left, is unknown.
 * (An unreadable config hides its DRBD disks, so the check made right before a forced start
 * could not look at them. A config others can write is theirs to run as root: an operator who
 * forces it runs what they wrote, perhaps changed since it was looked at.)
 */
const UNFORCEABLE: ReadonlyMap<string, string> = new Map([
  ['config-duplicate', 'keep one file per domU'],
  ['config-unreadable', 'fix the config file first'],
  ['config-unsafe', 'make the config, its dir and the dirs above it writable by root only first'],
  ['ledger-unreadable', 'repair the migration ledger first (`xenherd-agent status` names the file and what is wrong)'],
]);

/**
 * What ends a skip `--force` never passes, for its refusal to name (an unsettled skip's detail
 * names its own fix; a peer Primary and the skips --force may pass are answered above).
 */
const skipFix = (reason: string, host: string): string | null => {
  if (reason === 'maintenance') return `this Dom0 starts nothing while draining or in maintenance: end that first (\`xenherdctl restore ${host}\` brings its domUs home, \`xenherdctl maintenance ${host} off\` ends it by hand; a plain \`maintenance\` file an operator put in the agent's state dir is removed by hand)`;
  if (reason === 'migrating-away') return 'wait for the migration to end (`xenherd-agent status` here shows where it went)';
  return null;
};

/**
 * Whether an operator's `--force` may start a domU with this decision: a defer (but not one whose
 * config or ledger cannot be read, nor two configs defining it), a domU autostart started this
 * boot and someone stopped since, or one only silent hosts' last reports place elsewhere (judged
 * by what the decision would be without them). HOST: this Dom0, as the refusal's fix names it.
 */
export function forceVerdict(d: AutostartDecision | undefined, host = 'HOST'): { readonly allowed: true } | { readonly allowed: false; readonly why: string } {
  if (d === undefined) return { allowed: false, why: 'not a guarded domU on this host' };
  const fix = d.kind === 'defer' ? UNFORCEABLE.get(d.reason) : undefined;
  if (d.kind === 'defer' && fix !== undefined) return { allowed: false, why: `refused: ${d.detail}. --force does not override ${d.reason}: ${fix}` };
  if (d.kind === 'defer') return { allowed: true };
  if (d.kind === 'skip' && d.reason === 'handled-this-boot') return { allowed: true };
  if (d.kind === 'skip' && d.reason === 'peer-primary') {
    return { allowed: false, why: `refused: ${d.detail}. --force overrides a defer, never a peer Primary` };
  }
  if (d.kind === 'skip' && d.withoutSilent !== undefined) {
    const beneath = forceVerdict(d.withoutSilent, host);
    return beneath.allowed ? beneath : { allowed: false, why: `${beneath.why} (and ${d.detail})` };
  }
  if (d.kind === 'skip' && d.reason === 'migrated-away') {
    return { allowed: false, why: `refused: skipped (migrated-away): ${d.detail}, and the controller still hears from that Dom0: bring it back from there (\`xenherdctl reverse\`); --force passes migrated-away only when the controller no longer hears from that Dom0, or with no controller` };
  }
  if (d.kind === 'skip' && d.reason === 'running-elsewhere') {
    return { allowed: false, why: `refused: skipped (running-elsewhere): ${d.detail}. --force passes running-elsewhere only when every host reporting it is one the controller no longer hears from` };
  }
  if (d.kind === 'skip') {
    const fix = skipFix(d.reason, host);
    return { allowed: false, why: `refused: skipped (${d.reason}): ${d.detail}. --force overrides a defer or a handled-this-boot skip, never this skip${fix === null ? '' : `: ${fix}`}` };
  }
  if (d.kind === 'running') return { allowed: false, why: `nothing to do: ${d.detail}` };
  return { allowed: true };
}
