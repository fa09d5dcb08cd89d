import type { MigrationPlan, PlanStep, PreflightCheck } from '../decide/migration-plan.js';
import type { CheckVerdict } from '../decide/preflight.js';

/** A migration plan and its preflight verdict as an operator reads them (`--dry-run`). */
function check(c: PreflightCheck): string {
  switch (c.check) {
    case 'runs-here':
      return 'it runs here, not mid-migration';
    case 'replicas':
      return `${c.target} holds a replica of each DRBD resource (${c.resources.join(', ') || 'none'}), in step (Connected, UpToDate/UpToDate)`;
    case 'peer-status':
      return c.wantPresent ? `${c.peer} runs it (asked over ssh)` : `${c.peer} does not run it and has the memory (asked over ssh)`;
    case 'peer-sshd':
      return `${c.peer}'s sshd accepts connections`;
    case 'toolstack-route':
      return `xl/xm migrate reaches the same ${c.peer} (root's ssh route or the resolver, against migration.peers)`;
    case 'migration-key':
      return `the migration key and ${c.peer}'s host key are here`;
  }
}

function step(s: PlanStep, p: MigrationPlan): string {
  switch (s.do) {
    case 'hold':
      return `hold ${p.name}: its lock file, and the running agent starts nothing of it meanwhile`;
    case 'preflight':
      return `preflight: ${s.checks.map(check).join('; ')}`;
    case 'migrate':
      return `live-migrate ${p.name} to ${s.target} (xl/xm migrate${s.options.length ? ` ${s.options.join(' ')}` : ''})`;
    case 'ask-peer':
      return `ask ${s.peer} to migrate ${p.name} back here (migrate2 over ssh)`;
    case 'verify':
      return `verify: ${p.name} listed on exactly one host${s.askOther ? ` (asking ${s.other} when the ending leaves doubt)` : ''}`;
    case 'record':
      return s.change.kind === 'away' ? `ledger: ${p.name} away at ${s.change.currentHost} (${s.change.reason})` : `ledger: ${p.name}'s record here ends`;
    case 'tell':
      return `tell ${s.peer} (status ${p.name}${s.goingHome === false ? '' : ' --not-mine'} over ssh): ${s.goingHome === true ? `${p.name} is home: it ends its away record` : s.goingHome === false ? `it records its visitor${s.peerMayBeHome === true ? ` (unless its migrate-tab names ${p.name}: then it is home, and the away record here ends)` : ''}` : `it records ${p.name} in its ledger (home again if it guards it, else a visitor)`}`;
    case 'replication':
      return `DRBD: ${s.resources.join(', ')} read while ${p.name} moves and after; a link to ${s.peer} lost on the way is an ALARM (the disks may differ)`;
  }
}

export function renderPlan(p: MigrationPlan, verdicts: readonly CheckVerdict[] | null): string {
  const out = [`plan: ${p.kind} ${p.name} from ${p.from} to ${p.to} (operation ${p.operationId})`];
  p.steps.forEach((s, i) => out.push(`  ${i + 1}. ${step(s, p)}`));
  for (const n of p.notes) out.push(`  note: ${n}`);
  if (verdicts) {
    out.push('preflight:');
    for (const v of verdicts) out.push(`  ${v.ok ? 'ok  ' : 'FAIL'} ${v.detail}`);
    const failed = verdicts.find((v) => !v.ok);
    out.push(failed ? `verdict: would refuse (${failed.code ?? 'XH_ERR_REFUSED'}); nothing moved` : 'verdict: would proceed; nothing moved (dry run)');
  }
  return `${out.join('\n')}\n`;
}
