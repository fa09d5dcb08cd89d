import { ackMigration, failAtTarget, failHandshake, finishMigration, findMigration, startMigration, targetProblem } from '../ops/migrate.js';
import type { OpError } from '../ops/result.js';
import { findDomain } from '../ops/domain.js';
import { hostView } from '../model/host-view.js';
import { findXmDomain, leavingNames } from '../render/xm-list.js';
import * as T from '../render/xl-migrate.js';
import { migrationStreamConfigLength } from '../render/xl-list-long.js';
import { invalidDomain } from '../render/xl-messages.js';
import type { ToolCtx } from './context.js';
import { failedOlderXenAtTarget, failedXendAtTarget, olderXen } from '../render/xl-migrate-refusals.js';

/** Time the sender and receiver take for the final handshake after the copy. */
export const HANDSHAKE_MS = 200;

const xmError = (e: OpError | string): string => {
  if (typeof e === 'string') return `Error: ${e}\n`;
  switch (e.kind) {
    case 'no-memory': return `Error: I need ${e.needMiB * 1024} KiB, but dom0_min_mem is 0 and shrinking to 0 KiB would leave only ${e.freeMiB * 1024} KiB free.\n`;
    case 'not-replica': return `Error: Device 51712 (vbd) could not be connected. /etc/xen/scripts/block-drbd failed; error detected.\n`;
    default: return `Error: ${e.kind}\n`;
  }
};

/** One live migration, as `xl migrate` or `xm migrate --live` runs it from the source Dom0. */
export async function runMigration(ctx: ToolCtx, name: string, to: string, style: 'xl' | 'xm'): Promise<number> {
  const s = ctx.state();
  const from = ctx.host;
  // xend finds a domain by the name it shows: one already leaving is migrating-NAME
  const d = style === 'xl' ? findDomain(s, from, name) : findXmDomain(hostView(s, from)!, leavingNames(s, from), name);
  if (!d) {
    ctx.err(style === 'xl' ? invalidDomain(name) : `Error: Domain '${name}' does not exist.\n`);
    return 1;
  }
  const base = d.name;
  const ids: T.MigrateIds = { domid: d.domid, targetHost: to, pid: ctx.pid(), xenMinor: (s.hosts[from]?.xenVersion ?? '4.17').split('.')[1] ?? '17', type: d.guest.type, streamLen: migrationStreamConfigLength(d) };
  const fault = ctx.takeMigrationFault(base);
  if (fault === 'before' || s.hosts[to]?.power !== 'on' || to === from) {
    ctx.err(style === 'xl' ? T.failedBeforeTransfer(ids) : xmError(`can't connect: No route to host`));
    return 1;
  }
  // each toolstack migrates only to its own kind (xend's relocation server, xl's migrate-receive over ssh)
  const target = s.hosts[to];
  if (style === 'xm' && target?.toolstack !== 'xm') {
    ctx.err(xmError(`can't connect: Connection refused`));
    return 1;
  }
  if (style === 'xl' && target?.toolstack === 'xm') {
    ctx.err(failedXendAtTarget(ids));
    return 1;
  }
  if (style === 'xl' && olderXen(s.hosts[from]?.xenVersion, target?.xenVersion)) {
    ctx.err(failedOlderXenAtTarget(ids));
    return 1;
  }
  const problem = targetProblem(s, base, from, to);
  if (problem) {
    const why = problem.kind === 'no-memory' ? 'failed to free memory for the domain\n' : problem.kind === 'not-replica' ? `libxl: error: libxl_device.c:1337:device_hotplug_child_death_cb: script: DRBD resource ${problem.res} is not configured on this host\n` : '';
    ctx.err(style === 'xl' ? T.failedTargetCreate(ids, why) : xmError(problem));
    return 1;
  }
  let id = -1;
  const started = ctx.apply('migrate-start', (st) => {
    const r = startMigration(st, base, from, to, style);
    if (r.ok) id = r.id ?? -1;
    return r;
  });
  if (!started.ok) {
    ctx.err(style === 'xl' ? T.failedTargetCreate(ids, '') : xmError(started.error));
    return 1;
  }
  if (style === 'xl') ctx.err(T.preamble(ids));
  await ctx.sleep(Math.ceil((d.memMiB / ctx.state().bandwidthMiBps) * 1000));
  if (!findMigration(ctx.state(), id)) {
    // a host lost power during the copy
    if (ctx.state().hosts[from]?.power !== 'on') return 255;
    ctx.err(style === 'xl' ? 'libxl: error: libxl_stream_write.c:347:libxl__xc_domain_save_done: saving domain: domain did not respond to suspend request: Broken pipe\nMigration failed, resuming at sender.\n' : xmError(`/usr/lib/xen/bin/xc_save 4 ${ids.domid} 0 0 1 failed`));
    return 1;
  }
  if (fault === 'target') {
    ctx.apply('migrate-fail-target', (st) => failAtTarget(st, id));
    ctx.err(style === 'xl' ? T.transferDone() + T.failedAtTarget() : xmError('Migration failed at target'));
    return 1;
  }
  ctx.apply('migrate-ack', (st) => ackMigration(st, id));
  if (style === 'xl') ctx.err(T.transferDone());
  await ctx.sleep(HANDSHAKE_MS);
  if (!findMigration(ctx.state(), id)) return ctx.state().hosts[from]?.power === 'on' ? 1 : 255;
  if (fault === 'handshake') {
    ctx.apply('migrate-fail-handshake', (st) => failHandshake(st, id));
    ctx.err(style === 'xl' ? T.failedHandshake() : xmError('Migration failed during final handshake'));
    return 1;
  }
  ctx.apply('migrate-finish', (st) => finishMigration(st, id));
  if (style === 'xl') ctx.err(T.success());
  return 0;
}
