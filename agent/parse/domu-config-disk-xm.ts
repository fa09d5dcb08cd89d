import { err, ok, type Result } from '../../shared/result.js';
import type { DiskSpec, DiskSpecError } from './domu-config-disk.js';
import { diskDrbdResource } from './drbd-device-path.js';

/**
 * One `disk = [...]` entry of a config only xend reads, read by xend's rules (xm/create.py
 * preprocess_disk and configure_disks, xend/server/blkif.py getDeviceDetails), which are not
 * libxl's: the entry is cut at every comma, nothing stripped, into exactly 3 to 5 fields
 *   uname,dev,mode[,backend[,protocol]]
 * uname is TYPE:PARAMS (empty only for an empty cdrom drive); dev may have `ioemu:` before it and
 * `:cdrom` or `:disk` after it; mode is r, w or w! (write even while another domain has the
 * device open); backend names the driver domain serving the disk (empty: Dom0); protocol is the
 * frontend's ring ABI, written to xenstore unchecked. Whatever xend would refuse is refused here.
 */

/** the uname types xend takes itself; any other needs /etc/xen/scripts/block-TYPE */
const OWN_TYPES = new Set(['phy', 'file', 'tap', 'tap2']);
/** the block-TYPE scripts Xen and DRBD ship: a type xenherd cannot tell from a typo is refused */
const SCRIPT_TYPES = new Set(['drbd', 'iscsi', 'nbd', 'enbd', 'dmmd']);
/** blktap's disk types (BlktapController.py), after an optional `tapdisk:` */
const TAP_PARAMS = /^(?:tapdisk:)?(aio|sync|vmdk|ram|qcow2?|ioemu|vhd|remus):(.*)$/;
/** a domain name or id, as xend's domain_lookup_nr takes it */
const BACKEND_DOMAIN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const FORM = "uname,dev,mode[,backend domain[,protocol]], e.g. 'drbd:r0,xvda,w'";

export function parseXmDiskSpec(spec: string): Result<DiskSpec, DiskSpecError> {
  const fail = (offset: number, problem: string, expected: string): Result<DiskSpec, DiskSpecError> => err({ offset, problem, expected });
  const fields = spec.split(',');
  if (fields.length < 3 || fields.length > 5) {
    return fail(0, `${fields.length} comma-separated field${fields.length === 1 ? '' : 's'}, and xend refuses that ("Invalid disk specifier")`, FORM);
  }
  const at: number[] = [];
  let offset = 0;
  for (const f of fields) {
    at.push(offset);
    offset += f.length + 1;
  }
  for (const [i, f] of fields.entries()) {
    if (f.trim() !== f) return fail(at[i] as number, `spaces around ${JSON.stringify(f)}`, `remove them: xend cuts the entry at commas only and keeps the spaces, so it would not find the device (${FORM})`);
  }
  // the 5th field, the ring protocol, is left to xend: nothing xenherd decides depends on it
  const [uname = '', devField = '', mode = '', backend = ''] = fields;

  // checked in the order xend checks them, so the first complaint is the one xend would make

  // xend drops everything up to the first colon when `ioemu:` is anywhere in dev, then splits once more
  const dev = devField.includes('ioemu:') ? devField.slice(devField.indexOf(':') + 1) : devField;
  const colon = dev.indexOf(':');
  const vdev = colon < 0 ? dev : dev.slice(0, colon);
  const devtype = colon < 0 ? 'disk' : dev.slice(colon + 1);
  if (devtype !== 'disk' && devtype !== 'cdrom') return fail(at[1] as number, `unknown device type ${JSON.stringify(devtype)} after the vdev`, 'vdev:cdrom or vdev:disk');
  if (vdev === '') return fail(at[1] as number, 'no vdev specified', `name the guest device: ${FORM}`);
  const cdrom = devtype === 'cdrom';

  let target: string | null = null;
  let script: string | null = null;
  let backendtype: string | null = null;
  let format = 'raw';
  if (uname === '') {
    if (!cdrom) return fail(0, 'no device given (xend: "Block device must have physical details specified")', `give the device, file or DRBD resource: ${FORM}`);
    format = 'empty';
  } else {
    const sep = uname.indexOf(':');
    if (sep < 0) return fail(0, `${JSON.stringify(uname)} has no TYPE: in front (xend: "Block device must have physical details specified")`, "phy:/dev/…, file:/…, tap:aio:/…, or drbd:RESOURCE");
    const type = uname.slice(0, sep);
    const params = uname.slice(sep + 1);
    if (type === 'tap' || type === 'tap2') {
      const tap = TAP_PARAMS.exec(params);
      if (!tap) return fail(sep + 1, `unknown blktap disk type in ${JSON.stringify(uname)}`, 'tap:aio:/…, tap:qcow2:/…, tap:vhd:/… or another of aio, sync, vmdk, ram, qcow, qcow2, ioemu, vhd, remus');
      const kind = tap[1] as string;
      format = kind === 'qcow' || kind === 'qcow2' || kind === 'vhd' || kind === 'vmdk' ? kind : 'raw';
      target = tap[2] as string;
    } else if (OWN_TYPES.has(type)) {
      target = params;
      if (type === 'phy') backendtype = 'phy';
    } else if (SCRIPT_TYPES.has(type)) {
      script = `block-${type}`;
      target = params;
    } else {
      return fail(0, `unknown disk type ${JSON.stringify(`${type}:`)}`, 'phy:, file:, tap:, tap2:, or a block script Xen or DRBD ships (drbd:, iscsi:, nbd:, enbd:, dmmd:)');
    }
    if (target === '') return fail(sep + 1, `no device after ${JSON.stringify(`${type}:`)}`, `give the device, file or DRBD resource: ${FORM}`);
  }

  if (mode !== 'r' && mode !== 'w' && mode !== 'w!') return fail(at[2] as number, `unknown mode ${JSON.stringify(mode)}`, 'r, w or w! (xend refuses any other, ro and rw included)');
  if (backend !== '' && !BACKEND_DOMAIN.test(backend)) return fail(at[3] as number, `${JSON.stringify(backend)} is not a domain name or id`, 'the 4th field names the driver domain serving the disk; leave it empty for Domain-0');
  const drbd = diskDrbdResource(script, target);
  if ('problem' in drbd) return fail(0, drbd.problem, drbd.expected);
  return ok({
    spec,
    vdev,
    access: cdrom || mode === 'r' ? 'ro' : 'rw',
    target,
    format,
    devtype: cdrom ? 'cdrom' : 'disk',
    script,
    backend: backend === '' ? null : backend,
    backendtype,
    drbdResource: drbd.resource,
  });
}
