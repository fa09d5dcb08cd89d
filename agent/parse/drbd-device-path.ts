import { DRBD_RESOURCE_RE } from '../../shared/names.js';

/**
 * What a disk target that is a DRBD device path says about its resource. drbd-utils' udev rules
 * make /dev/drbd/by-res/RES/VOL (DRBD 8.4 and 9; /dev/drbd/by-res/RES on 8.3), which names the
 * resource; /dev/drbdN (a minor), /dev/drbd_NAME (a device named in the .res file) and
 * /dev/drbd/by-disk/… do not.
 * A domU on such a disk is DRBD-backed all the same: guarded autostart must check its resource
 * like a block-drbd disk's before starting it, or it could start a domU whose peer is Primary.
 */
export type DrbdDevicePath = { readonly kind: 'resource'; readonly resource: string } | { readonly kind: 'unnamed' } | { readonly kind: 'invalid-resource'; readonly resource: string };

const BY_RES = /^\/dev\/drbd\/by-res\/([^/]+)(?:\/[0-9]+)?\/?$/;
/**
 * Unnamed: a minor (/dev/drbdN), a name the resource gave its device (`device /dev/drbd_web1
 * minor 0;`, which drbd-utils' udev rules link to the minor; xm also took these without /dev/), and
 * the other links under /dev/drbd/. One path component only: /dev/drbdvg/lv is a volume group's.
 */
const UNNAMED = /^(?:\/dev\/)?drbd[^/]*$|^\/dev\/drbd\//;

/**
 * An absolute path as the kernel resolves it, symlinks aside: `//dev/drbd3` and `/dev/./drbd3` are
 * /dev/drbd3 to `open()`, so they must be to this check too (else a DRBD disk passes for none).
 */
function lexicallyNormal(target: string): string {
  if (!target.startsWith('/')) return target;
  const parts: string[] = [];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** null when TARGET is not a DRBD device path */
export function drbdDevicePath(raw: string): DrbdDevicePath | null {
  const target = lexicallyNormal(raw);
  const byRes = BY_RES.exec(target);
  if (byRes) {
    const resource = byRes[1] as string;
    return DRBD_RESOURCE_RE.test(resource) ? { kind: 'resource', resource } : { kind: 'invalid-resource', resource };
  }
  return UNNAMED.test(target) ? { kind: 'unnamed' } : null;
}

/** Why a disk's DRBD resource cannot be told: the same words for xl's and xm's disk specs. */
export interface DiskDrbdProblem {
  readonly problem: string;
  readonly expected: string;
}

/**
 * The DRBD resource a disk is on: its target when the block-drbd script serves it, else the
 * resource its DRBD device path names; null when it is not on DRBD.
 */
export function diskDrbdResource(script: string | null, target: string | null): { readonly resource: string | null } | DiskDrbdProblem {
  if (script !== null && script.split('/').pop() === 'block-drbd') {
    if (target === null || !DRBD_RESOURCE_RE.test(target)) {
      return { problem: `DRBD resource name ${JSON.stringify(target ?? '')} is not valid`, expected: 'a DRBD resource name (letters, digits and _ . : + -) as the target of a block-drbd disk' };
    }
    return { resource: target };
  }
  if (script !== null || target === null) return { resource: null };
  const device = drbdDevicePath(target);
  if (device?.kind === 'invalid-resource') return { problem: `DRBD resource name ${JSON.stringify(device.resource)} in ${target} is not valid`, expected: 'a DRBD resource name (letters, digits and _ . : + -)' };
  if (device?.kind === 'unnamed') {
    return {
      problem: `${target} is a DRBD device, but not which DRBD resource it is: xenherd could not check that resource before starting or moving the domU`,
      expected: "name the resource: 'drbd:RES,xvda,w' (the block-drbd script) or 'phy:/dev/drbd/by-res/RES/0,xvda,w'",
    };
  }
  return { resource: device?.kind === 'resource' ? device.resource : null };
}
