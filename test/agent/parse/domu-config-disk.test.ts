import { describe, expect, it } from 'vitest';
import { parseDiskSpec } from '../../../agent/parse/domu-config-disk.js';

// Disk specs per docs/man/xl-disk-configuration.5.pod.in and libxlu_disk_l.l.
const parsed = (spec: string) => {
  const r = parseDiskSpec(spec);
  if (!r.ok) throw new Error(`${spec}: ${r.error.problem}`);
  const { spec: _spec, ...rest } = r.value;
  return rest;
};

describe('parseDiskSpec', () => {
  it('reads the four equivalent forms from the man page alike', () => {
    const forms = ['/dev/vg/guest-volume,,hda', '/dev/vg/guest-volume,raw,hda,rw', 'format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume', 'raw:/dev/vg/guest-volume,hda,w'];
    for (const f of forms) expect(parsed(f)).toMatchObject({ vdev: 'hda', access: 'rw', target: '/dev/vg/guest-volume', format: 'raw', devtype: 'disk' });
  });

  it('reads the cdrom forms from the man page alike', () => {
    const forms = ['/root/image.iso,,hdc,cdrom', '/root/image.iso,,hdc,,cdrom', '/root/image.iso,raw,hdc,devtype=cdrom', 'format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso', 'raw:/root/image.iso,hdc:cdrom,ro'];
    for (const f of forms) expect(parsed(f)).toMatchObject({ vdev: 'hdc', access: 'ro', target: '/root/image.iso', devtype: 'cdrom' });
  });

  it('drbd: prefix means script block-drbd; the target is the resource', () => {
    expect(parsed('drbd:r0,xvda,w')).toEqual({ vdev: 'xvda', access: 'rw', target: 'r0', format: 'raw', devtype: 'disk', script: 'block-drbd', backend: null, backendtype: null, drbdResource: 'r0' });
  });

  it('target= swallows the rest of the string, commas and trailing spaces included', () => {
    expect(parsed('vdev=xvda, script=block-nbd, target=host,with,commas ')).toMatchObject({ target: 'host,with,commas ', script: 'block-nbd' });
    // so a block-drbd target with a trailing space is not a valid resource name
    expect(parseDiskSpec('vdev=xvda, script=block-drbd, target=r0 ').ok).toBe(false);
  });

  it('strips several deprecated prefixes (tap:aio:)', () => {
    expect(parsed('tap:aio:/srv/x.img,xvda,w')).toMatchObject({ target: '/srv/x.img', vdev: 'xvda' });
  });

  it('phy: with a DRBD device path is not a block-drbd disk', () => {
    expect(parsed('phy:/dev/drbd0,xvda,w')).toMatchObject({ target: '/dev/drbd0', drbdResource: null, script: null });
  });

  it.each([
    ['drbd:r0', 'no vdev specified'],
    ['drbd:r0,xvda,w,extra', 'too many positional parameters at "extra"'],
    ['foo:/dev/x,xvda,w', 'unknown disk prefix "foo:"'],
    ['vdev=xvda, colour=red, target=r0', 'unknown parameter "colour"'],
    ['/dev/x,,xvda,rwx', 'unknown access "rwx"'],
    ['vdev=xvda, vdev=xvdb, target=/dev/x', 'vdev given twice ("xvda" and "xvdb")'],
    ['Vdev=xvda', 'bad disk syntax near "Vdev=xvda"'],
    ['xvda', 'no vdev specified'],
  ])('refuses %s', (spec, problem) => {
    const r = parseDiskSpec(spec);
    expect(r.ok ? null : r.error.problem).toBe(problem);
  });
});
