import { randomUUID } from 'node:crypto';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { lockDomU } from './domu-lock.js';
import { migrationVerdict } from '../decide/migration-verdict.js';
import { without, withAway, type MigrationReason } from '../state/ledger.js';
import { nudgeDaemon, type HostContext } from './context.js';
import { homeHere } from '../decide/home-claim.js';
import { readHomes } from './homes.js';

/**
 * Live-migrates a domU running on this Dom0 to `target`, under the domU's lock, and records the
 * result in this Dom0's ledger. Failures before the target took over leave the domU here and the
 * ledger unchanged; an undefined ending asks both hosts' `xl list` (the target through
 * `checkTarget`) and records only what they agree on, else raises an alarm.
 */
export interface MigrateOutRequest {
  readonly name: string;
  readonly target: string;
  readonly reason: MigrationReason;
  readonly operationId?: string;
  readonly onProgress: (line: string) => void;
  /** does the domU run on the target now? null = cannot tell */
  readonly checkTarget: () => Promise<boolean | null>;
}

export interface MigrateOutDone {
  readonly operationId: string;
  readonly message: string;
}

const variants = (n: string): string[] => [n, `${n}--incoming`, `${n}--migratedaway`];

export async function presentHere(ctx: HostContext, name: string): Promise<boolean | null> {
  const l = await ctx.toolstack.list();
  if (!l.ok) return null;
  return l.value.some((d) => variants(name).includes(d.name));
}

export async function migrateOut(ctx: HostContext, req: MigrateOutRequest): Promise<Result<MigrateOutDone, XhError>> {
  const opId = req.operationId ?? randomUUID();
  const lock = await lockDomU(ctx, req.name, req.reason === 'reverse' ? 'migrate2' : 'migrate', opId);
  if (!lock.ok) return lock;
  try {
    const before = ctx.store.read();
    if (!before.ok) return before;
    const one = await ctx.toolstack.listOne(req.name);
    if (!one.ok) return one;
    if (one.value === null) return err({ code: 'XH_ERR_REFUSED', message: `${req.name} does not run on ${ctx.host}` });
    if (req.target === ctx.host) return err({ code: 'XH_ERR_REFUSED', message: `${req.name} already runs on ${req.target}` });
    const { homes } = await readHomes(ctx);
    const home = homeHere(homes, before.value, req.name);
    req.onProgress(`migrating ${req.name} from ${ctx.host} to ${req.target} (operation ${opId})`);
    let pending = '';
    const m = await ctx.toolstack.migrate(req.name, req.target, {
      onProgress: (chunk) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trimEnd();
          pending = pending.slice(nl + 1);
          if (line !== '') req.onProgress(line);
        }
      },
    });
    if (pending.trim() !== '') req.onProgress(pending.trim());
    if (!m.ok) return m;
    const outcome = m.value.outcome;
    const atSource = await presentHere(ctx, req.name);
    const needTarget = !(outcome.kind === 'success' && atSource === false) && !(outcome.domainAt === 'source' && atSource === true);
    const atTarget = needTarget ? await req.checkTarget() : null;
    const verdict = migrationVerdict(outcome, atSource, needTarget ? atTarget : outcome.kind === 'success');
    const why = outcome.decisiveLine ?? outcome.errorLines[0] ?? `${ctx.toolstack.kind} migrate exited ${String(outcome.exitCode)}`;
    if (verdict.kind === 'stayed') {
      const detail = outcome.errorLines.filter((l) => l !== why).slice(0, 3);
      return err({ code: 'XH_ERR_MIGRATION_FAILED', message: `${req.name} was not migrated to ${req.target} (${outcome.kind}: ${why}${detail.length ? `; ${detail.join('; ')}` : ''}); it still runs on ${ctx.host}, the ledger is unchanged` });
    }
    if (verdict.kind === 'alarm') {
      return err({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: migration of ${req.name} to ${req.target} ended undefined (${outcome.kind}: ${why}) and ${verdict.why} (here: ${String(atSource)}, ${req.target}: ${String(atTarget)}); nothing recorded, check both hosts by hand` });
    }
    const now = new Date().toISOString();
    const w = await ctx.store.update((l) => {
      if (home) return withAway(without(l, req.name), req.name, { home: ctx.host, currentHost: req.target, since: now, operationId: opId, reason: req.reason });
      return without(l, req.name);
    });
    if (!w.ok) return err({ code: w.error.code, message: `${req.name} now runs on ${req.target}, but the ledger could not be written: ${w.error.message}` });
    await nudgeDaemon(ctx);
    return ok({ operationId: opId, message: `${req.name} migrated from ${ctx.host} to ${req.target}${outcome.kind === 'success' ? '' : ` (after ${outcome.kind}: both hosts' xl list agree)`}` });
  } finally {
    lock.value.release();
  }
}
