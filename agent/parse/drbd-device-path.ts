import { DRBD_RESOURCE_RE } from '../../shared/names.js';

/**
 * What a disk target that is a DRBD device path says about its resource. drbd-utils' udev rules
 * make /dev/drbd/by-res/RES/VOL (DRBD 8.4 and 9; /dev/drbd/by-res/RES on 8.3), which names the
 * resource; /dev/drbdN (a minor; xm also took it without /dev/) and /dev/drbd/by-disk/… do not.
 * A domU on such a disk is DRBD-backed all the same: guarded autostart must check its resource
 * like a block-drbd disk's before starting it, or it could start a domU whose peer is Primary.
 */
export type DrbdDevicePath = { readonly kind: 'resource'; readonly resource: string } | { readonly kind: 'unnamed' } | { readonly kind: 'invalid-resource'; readonly resource: string };

const BY_RES = /^\/dev\/drbd\/by-res\/([^/]+)(?:\/[0-9]+)?\/?$/;
const UNNAMED = /^(?:\/dev\/)?drbd[0-9]+$|^\/dev\/drbd\//;

/** null when TARGET is not a DRBD device path */
export function drbdDevicePath(target: string): DrbdDevicePath | null {
  const byRes = BY_RES.exec(target);
  if (byRes) {
    const resource = byRes[1] as string;
    return DRBD_RESOURCE_RE.test(resource) ? { kind: 'resource', resource } : { kind: 'invalid-resource', resource };
  }
  return UNNAMED.test(target) ? { kind: 'unnamed' } : null;
}
