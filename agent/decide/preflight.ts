import type { ErrorCode, XhError } from '../../shared/errors.js';
import { notReadyForLiveMigration } from '../../shared/drbd-readiness.js';
import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';
import type { PeerStatus } from '../../shared/protocol/peer.js';
import type { LinkXen } from '../../shared/protocol/agent-link-values.js';
import { isOlderRelease, olderXenWords, otherToolstackWords } from '../../shared/text/live-move-words.js';
import type { PreflightCheck } from './migration-plan.js';
import { judgeRoute, type RouteFacts } from './toolstack-route.js';
import { judgeRootSshTrust } from './root-ssh-trust.js';

/**
 * The preflight verdict: each check of a plan judged against what the executor found out, pure.
 * A failed check names what is wrong and the fix, with the code the command exits with.
 */
export interface CheckVerdict {
  readonly check: PreflightCheck;
  readonly ok: boolean;
  readonly detail: string;
  /** the exit code's reason when not ok */
  readonly code: ErrorCode | null;
}

/** This Dom0's migration key and a peer's host key, as files here. */
export interface KeyFacts {
  readonly keyFile: string;
  readonly keyReadable: boolean;
  /** the key file's permission bits when others than its owner may read or write it, else null */
  readonly keyOpenMode: number | null;
  readonly knownHostsFile: string;
  readonly knownHost: boolean;
  /** where the agent's own ssh reaches the peer (migration.peers, else its name, and sshPort): what to scan */
  readonly address: string;
  readonly port: number;
}

/** What the executor found out for the checks (I/O done, plain data here). */
export interface PreflightFacts {
  readonly name: string;
  /** NAME as xl list shows it here, if it does */
  readonly here: InventoryDomain | undefined;
  /** per DRBD resource: the hosts its `.res` file names, or why it could not be read */
  readonly resourceHosts: ReadonlyMap<string, { readonly hosts: readonly string[]; readonly file: string } | { readonly problem: string }>;
  /** per peer: the migration key and the peer's host key */
  readonly keys: ReadonlyMap<string, KeyFacts>;
  readonly sshd: ReadonlyMap<string, { readonly reachable: true } | { readonly reachable: false; readonly why: string }>;
  /** per peer: its forced command's answer to `status NAME`, or the failure asking */
  readonly status: ReadonlyMap<string, PeerStatus | XhError>;
  /**
   * this Dom0's DRBD view of each resource of the replicas check (`drbdadm status R` here), or why
   * it could not be read. A resource missing: not read, and a live migration is refused.
   */
  readonly drbd: DrbdHereFacts;
  /** this Dom0's toolstack and Xen release, read when the peer is asked its own (`status NAME --tools`) */
  readonly tools?: ToolsFacts;
  /** per peer: where the checks reach it and where the toolstack's move would go */
  readonly routes?: ReadonlyMap<string, RouteFacts>;
}

export interface ToolsFacts {
  readonly toolstack: string;
  readonly xen: LinkXen | null;
}

export interface DrbdHereFacts {
  /** this Dom0, as the sentences name it */
  readonly host: string;
  readonly resources: ReadonlyMap<string, DrbdResourceView | XhError>;
}

const pass = (check: PreflightCheck, detail: string): CheckVerdict => ({ check, ok: true, detail, code: null });
const fail = (check: PreflightCheck, code: ErrorCode, detail: string): CheckVerdict => ({ check, ok: false, detail, code });
const notAsked = (check: PreflightCheck, why: string): CheckVerdict => ({ check, ok: false, detail: `not checked: ${why}`, code: null });

export function judge(check: PreflightCheck, f: PreflightFacts): CheckVerdict {
  switch (check.check) {
    case 'runs-here': {
      const d = f.here;
      if (!d) return fail(check, 'XH_ERR_REFUSED', `${f.name} does not run here`);
      if (d.migration !== null) return fail(check, 'XH_ERR_LOCKED', `${f.name} is mid-migration here (${d.name})`);
      return pass(check, `${f.name} runs here (${d.state}, ${d.memMiB} MiB)`);
    }
    case 'replicas': {
      if (check.resources.length === 0) return pass(check, `${f.name} has no DRBD disks: any Dom0 that reaches its storage may take it`);
      for (const r of check.resources) {
        const h = f.resourceHosts.get(r);
        if (!h || 'problem' in h) return fail(check, 'XH_ERR_CONFIG', `cannot tell who holds DRBD resource ${r}: ${h && 'problem' in h ? h.problem : 'not read'}`);
        if (!h.hosts.includes(check.target)) return fail(check, 'XH_ERR_REFUSED', `${check.target} holds no replica of ${r} (${h.file} names ${h.hosts.join(', ') || 'no host'}): ${f.name} cannot run there`);
      }
      for (const r of check.resources) {
        const seen = f.drbd.resources.get(r);
        if (!seen) return fail(check, 'XH_ERR_REFUSED', `the DRBD state of ${r} here was not read: a live migration needs it Connected UpToDate/UpToDate`);
        if ('code' in seen) return fail(check, seen.code, `cannot read the DRBD state of ${r} here (${seen.message}): a live migration needs it Connected UpToDate/UpToDate`);
        // the preflight runs where the domU runs: this Dom0 is the move's source
        const h = f.resourceHosts.get(r);
        const unready = notReadyForLiveMigration(f.drbd.host, check.target, seen, 'source', h !== undefined && !('problem' in h) ? h.hosts : []);
        if (unready) return fail(check, 'XH_ERR_REFUSED', unready);
      }
      // a disk DRBD detached here passes (the way off it): said as it is, not called UpToDate/UpToDate
      const gone = check.resources.flatMap((r) => { const v = f.drbd.resources.get(r); return v !== undefined && !('code' in v) && v.disk !== 'UpToDate' ? [`${r} ${v.disk ?? 'unknown'} here`] : []; });
      const how = gone.length > 0 ? `Connected, ${check.target}'s disk UpToDate (${gone.join(', ')}: leaving is the way off it)` : 'Connected UpToDate/UpToDate';
      return pass(check, `${check.target} holds a replica of ${check.resources.join(', ')}, ${how}`);
    }
    case 'migration-key': {
      const k = f.keys.get(check.peer);
      if (!k) return notAsked(check, 'no key facts');
      // named as a whole agent command on this Dom0: the refusal also reaches an operator through
      // xenherdctl, whose migrate has no --no-peer
      const orNoPeer = check.withoutPeer ? ` (or, on ${f.drbd.host}, \`xenherd-agent migrate ${f.name} ${check.peer} --no-peer\`: ${check.peer} is then not told ${f.name} is its visitor)` : '';
      if (!k.keyReadable) return fail(check, 'XH_ERR_FILE', `the migration key ${k.keyFile} is missing or unreadable: run \`xenherd-agent keys setup ${check.peer}\` and install its line on ${check.peer}${orNoPeer}`);
      // OpenSSH refuses such a key too: whoever reads it may ask the peer's forced command for
      // migrations and reverse moves as this Dom0
      if (k.keyOpenMode !== null) {
        return fail(check, 'XH_ERR_FILE', `the migration key ${k.keyFile} may be read by others than its owner (mode ${k.keyOpenMode.toString(8).padStart(4, '0')}): run \`chmod 600 ${k.keyFile}\`; whoever can read it may ask ${check.peer} for migrations as this Dom0`);
      }
      // the sshd the agent connects to: `ssh-keyscan xen2` would ask port 22 of a name that may not be its address
      const scan = `ssh-keyscan${k.port === 22 ? '' : ` -p ${k.port}`} ${k.address}`;
      if (!k.knownHost) return fail(check, 'XH_ERR_FILE', `${k.knownHostsFile} has no host key for ${check.peer}: add it after checking it (${scan} >> ${k.knownHostsFile})${orNoPeer}`);
      return pass(check, `migration key ${k.keyFile} and ${check.peer}'s host key present`);
    }
    case 'peer-sshd': {
      const s = f.sshd.get(check.peer);
      if (!s) return notAsked(check, 'not probed');
      return s.reachable ? pass(check, `${check.peer}'s sshd accepts connections`) : fail(check, 'XH_ERR_PEER_UNREACHABLE', s.why);
    }
    case 'toolstack-route': {
      const r = f.routes?.get(check.peer);
      if (!r) return notAsked(check, 'route not read');
      const v = judgeRoute(r);
      if (!v.ok) return fail(check, v.code, v.detail);
      // the right machine is not enough: root's ssh must also take its host key without asking
      const t = r.trust === undefined ? null : judgeRootSshTrust(r.trust);
      if (t === null) return pass(check, v.detail);
      return t.ok ? pass(check, `${v.detail}; ${t.detail}`) : fail(check, t.code, t.detail);
    }
    case 'peer-status':
      return judgeStatus(check, f);
  }
}

function judgeStatus(check: Extract<PreflightCheck, { check: 'peer-status' }>, f: PreflightFacts): CheckVerdict {
  const s = f.status.get(check.peer);
  if (!s) return notAsked(check, `${check.peer} not asked (its key or sshd check failed)`);
  if ('code' in s) return fail(check, s.code, `asking ${check.peer} \`status ${f.name}\`: ${s.message}`);
  if (check.wantPresent) {
    if (s.present === 'absent') {
      // a reverse pulls from where the ledger says; a domU that runs nowhere is started, not pulled
      const home = f.drbd.host;
      const nowhere = `if it runs nowhere (${check.peer} reinstalled, or a move cut short after its shutdown), start it here instead: \`xenherdctl restore ${home}\`, or without a controller \`xenherd-agent autostart start --force ${f.name}\` (a guarded domU; else \`xl create\` it, then \`xenherd-agent reconcile ${f.name}\`)`;
      return fail(check, 'XH_ERR_LEDGER_MISMATCH', `the ledger here says ${f.name} is on ${check.peer}, but ${check.peer} answers it does not run there: check both hosts; ${nowhere}`);
    }
    // a reverse is a live move from the peer to here: the same tools rule, the other way round
    const tools = toolsRefusal(f, s, 'from-peer');
    if (tools !== null) return fail(check, 'XH_ERR_REFUSED', tools);
    return pass(check, `${check.peer} runs ${f.name} (${s.listedAs ?? s.state ?? 'listed'})`);
  }
  if (s.present === 'here') return fail(check, 'XH_ERR_REFUSED', `${check.peer} already lists ${f.name} (${s.listedAs ?? s.state ?? 'present'}): refusing to start a second copy`);
  // absent: the peer takes domUs (online, restoring), or is an agent too old to say, which counts as online
  const state = s.maintenance ?? 'online';
  if (check.refuseDraining && (state === 'draining' || state === 'maintenance')) {
    return fail(check, 'XH_ERR_REFUSED', `${check.peer} is ${state === 'draining' ? 'draining' : 'in maintenance'}: it takes no domUs until it is online again (only a restore may send a domU home to it)`);
  }
  const tools = toolsRefusal(f, s, 'to-peer');
  if (tools !== null) return fail(check, 'XH_ERR_REFUSED', tools);
  const need = f.here?.memMiB ?? null;
  if (s.freeMemMiB === null || need === null) return pass(check, `${check.peer} does not run ${f.name}; free memory unknown`);
  if (s.freeMemMiB < need) return fail(check, 'XH_ERR_REFUSED', `${check.peer} has ${s.freeMemMiB} MiB free, ${f.name} needs ${need} MiB`);
  return pass(check, `${check.peer} does not run ${f.name} and has ${s.freeMemMiB} MiB free (${need} MiB needed)`);
}

/**
 * The peer's tools as it answered (a peer older than `--tools` says nothing: not held back), set
 * beside this Dom0's, in the controller's words: the tools would refuse the move only after the
 * hold and the copy began. WAY: whether the domU goes to the peer (migrate) or comes from it
 * (reverse, the peer's `migrate2`).
 */
function toolsRefusal(f: PreflightFacts, s: PeerStatus, way: 'to-peer' | 'from-peer'): string | null {
  if (!f.tools || s.toolstack === undefined) return null;
  const here = { host: f.drbd.host, ...f.tools };
  const peer = { host: s.host, toolstack: s.toolstack, xen: s.xen ?? null };
  const [from, to] = way === 'to-peer' ? [here, peer] : [peer, here];
  if (from.toolstack !== to.toolstack) return otherToolstackWords(f.name, from.host, from.toolstack, to.host, to.toolstack);
  if (from.xen && to.xen && isOlderRelease(from.xen, to.xen)) return olderXenWords(f.name, from.host, from.xen.version, to.host, to.xen.version);
  return null;
}

// the judgement lives in shared/ so the controller's plans refuse what this preflight refuses, in the same words
export { notReadyForLiveMigration };

/** The first failed check decides the refusal; null when every check passed. */
export function refusalOf(verdicts: readonly CheckVerdict[]): XhError | null {
  const first = verdicts.find((v) => !v.ok);
  if (!first) return null;
  const code = first.code ?? verdicts.find((v) => v.code !== null)?.code ?? 'XH_ERR_REFUSED';
  return { code, message: `preflight: ${first.detail}; nothing was moved` };
}
