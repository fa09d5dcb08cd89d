import { describe, expect, it } from 'vitest';
import { parseDiskSpec } from '../../../agent/parse/domu-config-disk.js';
import { parseDomuConfig } from '../../../agent/parse/domu-config.js';

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

  it.each([
    ['phy:/dev/drbd/by-res/r0/0,xvda,w', 'r0'],
    ['phy:/dev/drbd/by-res/web1-disk/1,xvdb,w', 'web1-disk'],
    // DRBD 8.3: no volume
    ['phy:/dev/drbd/by-res/r2,xvda,w', 'r2'],
    ['/dev/drbd/by-res/r2/0,raw,xvdb,rw', 'r2'],
    ['format=raw, vdev=xvda, access=rw, target=/dev/drbd/by-res/r3/0', 'r3'],
  ])('a disk on /dev/drbd/by-res/RES is on DRBD resource RES, like a block-drbd one: %s', (spec, resource) => {
    expect(parsed(spec)).toMatchObject({ drbdResource: resource, script: null });
  });

  it.each(['phy:/dev/drbd0,xvda,w', 'phy:/dev/drbd12,xvda,w', 'phy:drbd1,xvda,w', '/dev/drbd/by-disk/vg0/web1,raw,xvda,w'])(
    'refuses a DRBD device that does not name its resource, saying how to name it: %s',
    (spec) => {
      const r = parseDiskSpec(spec);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.problem).toContain('is a DRBD device, but not which DRBD resource it is');
      expect(r.error.expected).toBe("name the resource: 'drbd:RES,xvda,w' (the block-drbd script) or 'phy:/dev/drbd/by-res/RES/0,xvda,w'");
    },
  );

  it('refuses an invalid resource name in a by-res path', () => {
    const r = parseDiskSpec('phy:/dev/drbd/by-res/r 0/0,xvda,w');
    expect(r.ok ? null : r.error.problem).toBe('DRBD resource name "r 0" in /dev/drbd/by-res/r 0/0 is not valid');
  });

  it('leaves devices that merely start like drbd alone', () => {
    expect(parsed('phy:/dev/drbdvg/web1,xvda,w')).toMatchObject({ drbdResource: null });
    expect(parsed('phy:/dev/vg0/drbd1,xvda,w')).toMatchObject({ drbdResource: null });
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

describe("access w! (xend's write even while another domain has the device open)", () => {
  it('is write access in an xm config, and refused in an xl one with what xl takes', () => {
    expect(parseDiskSpec('phy:/dev/ey00-data4/gfs-00218,sdb1,w!', 'xm')).toMatchObject({ ok: true, value: { access: 'rw', target: '/dev/ey00-data4/gfs-00218' } });
    const xl = parseDiskSpec('phy:/dev/vg/x,xvda,w!');
    expect(xl.ok ? null : xl.error.expected).toBe("r, ro, w or rw (w! is xm's: xl has no such mode)");
  });

  it('reaches the disk parser from a whole xm config', () => {
    // Python syntax (a tuple of disks): only xend reads this file
    const r = parseDomuConfig("name = 'gfs1'\nmemory = 512\ndisk = ('phy:/dev/vg/gfs1,sda1,w!',)\n", '/etc/xen/gfs1.cfg');
    expect(r.ok ? [r.value.dialect, r.value.disks[0]?.access] : r.error.message).toEqual(['xm', 'rw']);
  });
});
