import type { XhError } from '../../shared/errors.js';
import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { err, ok, type Result } from '../../shared/result.js';
import { earlierOwnName, isOwnLeftoverLease, type Claim } from '../plan/maintenance-claims.js';
import { ask, type FleetPort } from './port.js';
import type { JobRun, LostFlag } from './job-run.js';
import type { JobSettings } from './settings.js';
import { sameOwner } from '../../shared/owner-names.js';
import { afterHostNamed } from '../../shared/text/after-host-named.js';

const ACTIVE = new Set<Maintenance['state']>(['draining', 'restoring']);

/**
 * What an operator refused by another controller's running lease does next. After a failover
 * (the primary died mid-drain) this is the standby refusing the very drain it should continue:
 * the owner is gone but its lease runs on at the agent, and this controller cannot tell a dead
 * owner from a live one, so it says both cases and how long to wait.
 */
function afterLease(held: { readonly maintenance: Maintenance; readonly leaseLeftMs: number }, identity: string): string {
  const owner = held.maintenance.owner;
  if (!owner || sameOwner(owner, identity) || held.leaseLeftMs <= 0) return '';
  return `; if ${owner} is gone (this controller a standby taking over), run the same command again in ${Math.ceil(held.leaseLeftMs / 1000)} s, once its lease has lapsed: this controller then continues the same operation; if it still runs, its job is the one to follow (\`xenherdctl jobs\` with both controllers' URLs lists it)`;
}

/**
 * A job's hold on one host's maintenance flag. The agent arbitrates (its owner rules are in
 * shared/protocol/agent-link-commands.ts): the job claims the flag with this controller's
 * identity as owner, renews the lease every third of it while an active state (draining,
 * restoring) is held, and releases it when it ends. A renewal refused means the flag moved on
 * (an operator set the host online, another controller took over): onLost stops the job.
 */
export class MaintenanceLease {
  private held: { state: Maintenance['state']; operationId: string } | null = null;
  private cancelRenew: () => void = () => undefined;
  /** this controller's identity, or its name before the instance id for an agent that knows only that (set()) */
  private owner: string;

  constructor(
    private readonly port: FleetPort,
    private readonly s: JobSettings,
    readonly host: string,
    private readonly by: string,
    private readonly onLost: (lost: LostFlag) => void,
    /**
     * Set by a job the hub runs alone on HOST (a drain, a restore): a lease of this controller's
     * own that still runs there is then no running job's, and is ended before the claim is asked
     * again; told here in words. Without it such a lease refuses the claim as any owner's does.
     */
    private onOwnLeaseEnded: ((line: string) => void) | null = null,
  ) {
    this.owner = port.identity;
  }

  async set(claim: Claim): Promise<Result<Maintenance, XhError>> {
    const active = ACTIVE.has(claim.state);
    const a = await ask(this.port, this.host, { op: 'maintenance', state: claim.state, operationId: claim.operationId, owner: this.owner, from: [...claim.from], leaseMs: active ? this.s.leaseMs : 0, by: this.by });
    if (!a.outcome.ok) {
      const held = a.data?.kind === 'maintenance' ? a.data : null;
      // the operation is this controller's from before an upgrade, on an agent not upgraded yet:
      // it is continued under the name that agent holds it by, or it waits out its own lease
      const earlier = held !== null && a.outcome.code === 'XH_ERR_LOCKED' ? earlierOwnName(held.maintenance, claim.operationId, this.port.identity, this.owner) : null;
      if (earlier !== null) {
        this.owner = earlier;
        return this.set(claim);
      }
      if (held !== null && a.outcome.code === 'XH_ERR_LOCKED' && (await this.endOwnLease(held))) return this.set(claim);
      const holder = held ? ` (the flag is ${held.maintenance.state}${held.maintenance.operationId ? `, operation ${held.maintenance.operationId}` : ''}${held.maintenance.owner ? `, owner ${held.maintenance.owner}` : ''}${held.leaseLeftMs > 0 ? `, its lease runs ${Math.ceil(held.leaseLeftMs / 1000)} s more` : ''})` : '';
      return err({ code: a.outcome.code ?? 'XH_ERR_INTERNAL', message: `${this.host} refused to be set ${claim.state}: ${afterHostNamed(a.outcome.message, this.host)}${holder}${held ? afterLease(held, this.port.identity) : ''}` });
    }
    this.cancelRenew();
    this.held = active ? { state: claim.state, operationId: claim.operationId } : null;
    this.renewLater();
    return ok(a.data?.kind === 'maintenance' ? a.data.maintenance : { state: claim.state, operationId: claim.operationId, owner: this.owner });
  }

  /**
   * Ends HELD, refusing the claim, when it is a lease of this controller's own that no job carries
   * on (isOwnLeftoverLease): its release was never heard, so it is sent now (once: the claim is
   * then asked again without this). True when the lease was ended.
   */
  private async endOwnLease(held: { readonly maintenance: Maintenance; readonly leaseLeftMs: number }): Promise<boolean> {
    const tell = this.onOwnLeaseEnded;
    const m = held.maintenance;
    if (tell === null || m.operationId === null || !isOwnLeftoverLease(held, this.port.identity)) return false;
    this.onOwnLeaseEnded = null;
    // under the name the flag gives this controller: an agent from before the instance id knows it only by that
    const r = await ask(this.port, this.host, { op: 'maintenance', state: m.state, operationId: m.operationId, owner: m.owner ?? this.port.identity, from: [m.state], leaseMs: 0, by: this.by });
    if (!r.outcome.ok) return false;
    tell(`${this.host} was still ${m.state} for operation ${m.operationId} of this controller, which no job of it carries on (its end never reached ${this.host}, or this controller restarted): its lease (${Math.ceil(held.leaseLeftMs / 1000)} s more) is ended, not waited for`);
    return true;
  }

  /** Ends the lease now (leaseMs 0), keeping the state: another controller may continue at once. */
  async release(): Promise<void> {
    this.cancelRenew();
    const h = this.held;
    this.held = null;
    if (!h) return;
    await ask(this.port, this.host, { op: 'maintenance', state: h.state, operationId: h.operationId, owner: this.owner, from: [h.state], leaseMs: 0, by: this.by });
  }

  /** Stops renewing without telling the agent (the lease lapses on its own). */
  stop(): void {
    this.cancelRenew();
    this.held = null;
  }

  private renewLater(): void {
    if (!this.held) return;
    this.cancelRenew = this.port.clock.schedule(Math.max(1, Math.floor(this.s.leaseMs / 3)), () => {
      const h = this.held;
      if (!h) return;
      void ask(this.port, this.host, { op: 'maintenance', state: h.state, operationId: h.operationId, owner: this.owner, from: [h.state], leaseMs: this.s.leaseMs, by: this.by }).then((a) => {
        if (this.held !== h) return;
        if (a.outcome.ok) return this.renewLater();
        // a link that is down is not a lost claim: the lease runs on at the agent; try again
        if (a.outcome.code === 'XH_ERR_AGENT_UNREACHABLE' || a.outcome.code === 'XH_ERR_AGENT_LINK_LOST' || a.outcome.code === 'XH_ERR_TIMEOUT') return this.renewLater();
        this.held = null;
        this.onLost({ host: this.host, why: `${this.host}'s maintenance flag is no longer this job's: ${afterHostNamed(a.outcome.message, this.host)}`, flag: a.data?.kind === 'maintenance' ? a.data.maintenance : null });
      });
    });
  }
}

/**
 * A lease for a job that must stop when the flag is lost, its first claim made and announced on
 * the job's stream. The caller stops the lease when the job ends (claimed or not).
 */
export async function claimForJob(env: { port: FleetPort; settings: JobSettings }, job: JobRun, host: string, claim: Claim): Promise<{ lease: MaintenanceLease; claimed: Result<Maintenance, XhError> }> {
  // the hub runs one job a host (job-hub.ts), so a lease of ours on HOST is no running job's
  const lease = new MaintenanceLease(
    env.port,
    env.settings,
    host,
    job.by,
    (lost) => job.loseFlag(lost),
    (line) => job.emit({ type: 'note', level: 'info', line }),
  );
  const claimed = await lease.set(claim);
  if (claimed.ok) job.emit({ type: 'host', host, maintenance: claimed.value });
  return { lease, claimed };
}

