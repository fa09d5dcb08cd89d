import type { HostDrbdView } from '../model/drbd-view.js';
import { attachDisk, detachDisk, settleDetached } from '../ops/drbd-disk.js';
import type { ToolCtx } from './context.js';

/**
 * `drbdadm detach RES` and `drbdadm attach RES`: silent, exit 0, when the kernel agrees. Both are
 * minor commands of drbdsetup (the device, not the resource), so a refusal names the minor, and
 * drbdadm adds the drbdsetup line it ran. The sim's `.res` files give each replica the backing
 * disk /dev/vg0/RES with internal metadata, which is what attach passes on.
 */

/** drbdsetup's print_config_error words for ERR_DISK_CONFIGURED (user/v84 and user/v9 drbdsetup.c error_messages) */
const DISK_CONFIGURED = { code: 124, text: 'Device is attached to a disk (use detach first)' };

const setupLine = (v: HostDrbdView, cmd: 'attach' | 'detach', name: string, minor: number): string => {
  const tool = v.major === '8.4' ? 'drbdsetup-84' : 'drbdsetup';
  return cmd === 'detach' ? `${tool} detach ${minor}` : `${tool} attach ${minor} /dev/vg0/${name} /dev/vg0/${name} internal`;
};

/** One resource, up on this host (the caller refuses the others as for any other command). */
export function diskOne(ctx: ToolCtx, v: HostDrbdView, name: string, cmd: 'attach' | 'detach'): number {
  const res = ctx.apply(cmd, (s) => (cmd === 'detach' ? detachDisk(s, name, ctx.host, false) : attachDisk(s, name, ctx.host)));
  // detach returns once the disk is Diskless: the state it passed through is seen only by events2 and the peer
  if (res.ok && cmd === 'detach') ctx.apply('diskless', (s) => settleDetached(s, name, ctx.host));
  if (res.ok) return 0;
  const e = res.error;
  const minor = ctx.state().drbd[name]?.minor ?? 0;
  if (e.kind === 'drbd-state') {
    // print_config_error: SS_NO_UP_TO_DATE_DISK exits 17, as `drbdadm primary` does
    ctx.err(`${minor}: State change failed: (${e.code}) ${e.text}\nCommand '${setupLine(v, cmd, name, minor)}' terminated with exit code 17\n`);
    return 17;
  }
  if (e.kind === 'drbd-attach') {
    ctx.err(`${minor}: Failure: (${DISK_CONFIGURED.code}) ${DISK_CONFIGURED.text}\nCommand '${setupLine(v, cmd, name, minor)}' terminated with exit code 10\n`);
    return 10;
  }
  return 0;
}
