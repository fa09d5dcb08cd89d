import { describe, expect, it } from 'vitest';
import { parseDiskSpec } from '../../../agent/parse/domu-config-disk.js';
import { parseDomuConfig, type DomuConfigDialect } from '../../../agent/parse/domu-config.js';
import { readFixture } from '../../fixture.js';

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

  // `device /dev/drbd_web1 minor 0;` in a .res file: drbd-utils' udev rules link /dev/drbd_web1 to the minor
  it.each(['phy:/dev/drbd0,xvda,w', 'phy:/dev/drbd12,xvda,w', 'phy:drbd1,xvda,w', '/dev/drbd/by-disk/vg0/web1,raw,xvda,w', 'phy:/dev/drbd_web1,xvda,w', 'phy:/dev/drbd-r0,xvda,w', 'phy:drbd_web1,xvda,w', 'format=raw, vdev=xvda, access=rw, target=/dev/drbd_web1'])(
    'refuses a DRBD device that does not name its resource, saying how to name it: %s',
    (spec) => {
      const r = parseDiskSpec(spec);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.problem).toContain('is a DRBD device, but not which DRBD resource it is');
      expect(r.error.expected).toBe("name the resource: 'drbd:RES,xvda,w' (the block-drbd script) or 'phy:/dev/drbd/by-res/RES/0,xvda,w'");
    },
  );

  // a volume group whose name starts with drbd holds plain LVM volumes, /dev/VG/LV
  it.each(['phy:/dev/drbdvg/web1,xvda,w', 'phy:/dev/drbd-data/web1-disk,xvda,w'])('a logical volume of a volume group named drbd… is not a DRBD device: %s', (spec) => {
    expect(parsed(spec)).toMatchObject({ drbdResource: null });
  });

  // the kernel opens //dev/drbd/by-res/r1/0 and /dev/./drbd3 as the plain paths: so must the check
  it.each([
    ['phy://dev/drbd/by-res/r1/0,xvda,w', 'r1'],
    ['phy:/dev/drbd/./by-res/r1/0,xvda,w', 'r1'],
    ['phy:/dev/drbd/by-res//r1/0/,xvda,w', 'r1'],
    ['phy:/dev/xen/../drbd/by-res/r1/0,xvda,w', 'r1'],
  ])('a by-res path spelled with extra slashes, . or .. names its resource all the same: %s', (spec, resource) => {
    expect(parsed(spec)).toMatchObject({ drbdResource: resource });
  });

  it.each(['phy:/dev/./drbd3,xvda,w', 'phy://dev//drbd3,xvda,w', 'phy:/dev/mapper/../drbd3,xvda,w'])('a minor spelled with extra slashes, . or .. is refused like /dev/drbd3: %s', (spec) => {
    const r = parseDiskSpec(spec);
    expect(r.ok ? null : r.error.problem).toContain('is a DRBD device, but not which DRBD resource it is');
  });

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
    // Python syntax (True): only xend reads this file
    const r = parseDomuConfig("name = 'gfs1'\nmemory = 512\nacpi = True\ndisk = [ 'phy:/dev/vg/gfs1,sda1,w!' ]\n", '/etc/xen/gfs1.cfg', { dialect: 'auto' });
    expect(r.ok ? [r.value.dialect, r.value.disks[0]?.access] : r.error.message).toEqual(['xm', 'rw']);
  });

  it('a tuple of disks is no disk setting: xend passes a tuple by (xm/opts.py), so the domU starts without them', () => {
    const r = parseDomuConfig("name = 'gfs1'\nmemory = 512\ndisk = ('drbd:r0,sda1,w!',)\n", '/etc/xen/gfs1.cfg', { dialect: 'auto' });
    expect(r.ok ? [r.value.dialect, r.value.disks, r.value.drbdResources] : r.error.message).toEqual(['xm', [], []]);
  });
});

describe("xm disk specs, read by xend's rules (xm/create.py preprocess_disk, xend/server/blkif.py)", () => {
  const xm = (spec: string) => {
    const r = parseDiskSpec(spec, 'xm');
    if (!r.ok) throw new Error(`${spec}: ${r.error.problem}`);
    const { spec: _spec, ...rest } = r.value;
    return rest;
  };
  const xmFailure = (spec: string) => {
    const r = parseDiskSpec(spec, 'xm');
    if (r.ok) throw new Error(`${spec}: parsed, expected an error`);
    return r.error;
  };

  it('a 4th field is the backend (driver) domain, a 5th the frontend protocol; the disk is read alike', () => {
    const disk = { vdev: 'xvda', access: 'rw', target: 'r0', script: 'block-drbd', drbdResource: 'r0' };
    expect(xm('drbd:r0,xvda,w')).toMatchObject({ ...disk, backend: null });
    expect(xm('drbd:r0,xvda,w,storage1')).toMatchObject({ ...disk, backend: 'storage1' });
    expect(xm('drbd:r0,xvda,w,,x86_32-abi')).toMatchObject({ ...disk, backend: null });
    expect(xm('drbd:r0,xvda,w,0,x86_64-abi')).toMatchObject({ ...disk, backend: '0' });
    expect(xm('phy:/dev/drbd/by-res/r2/0,xvdb,r,Domain-0')).toMatchObject({ vdev: 'xvdb', access: 'ro', target: '/dev/drbd/by-res/r2/0', backendtype: 'phy', drbdResource: 'r2', backend: 'Domain-0' });
  });

  it('dev may carry ioemu: and :cdrom; an empty uname is an empty cdrom drive; tap: drops its disk type', () => {
    expect(xm('phy:/dev/vg/hvm1,ioemu:hda,w')).toMatchObject({ vdev: 'hda', target: '/dev/vg/hvm1', devtype: 'disk', access: 'rw' });
    expect(xm(',hdc:cdrom,r')).toMatchObject({ vdev: 'hdc', target: null, format: 'empty', devtype: 'cdrom', access: 'ro' });
    expect(xm('file:/srv/x.iso,ioemu:hdc:cdrom,r')).toMatchObject({ vdev: 'hdc', target: '/srv/x.iso', devtype: 'cdrom' });
    expect(xm('tap:aio:/srv/x.img,xvda,w')).toMatchObject({ target: '/srv/x.img', format: 'raw' });
    expect(xm('tap2:tapdisk:vhd:/srv/x.vhd,xvda,w')).toMatchObject({ target: '/srv/x.vhd', format: 'vhd' });
  });

  it.each(['xmexample-hvm.cfg', 'xmexample-nbd.cfg', 'xmexample1.cfg', 'remus-ubuntu-hvm.cfg'])('the xend example %s gives the same disks read by xend\'s rules as by libxl\'s', (name) => {
    const body = readFixture(`domu-config/${name}`).body;
    const view = (dialect: 'auto' | 'xm') => {
      const r = parseDomuConfig(body, name, { dialect });
      return r.ok ? r.value.disks.map(({ vdev, access, target, devtype, drbdResource }) => ({ vdev, access, target, devtype, drbdResource })) : r.error.message;
    };
    expect(view('xm')).toEqual(view('auto'));
  });

  it('refuses the libxl-only forms xend has no reading for, first with the complaint xend makes', () => {
    expect(xmFailure('/dev/vg/guest-volume,raw,xvda,rw').problem).toMatch(/^"\/dev\/vg\/guest-volume" has no TYPE: in front/);
    expect(xmFailure('vdev=xvda, access=rw, target=/dev/vg/x').problem).toMatch(/^spaces around " access=rw"/);
  });

  it.each([
    ['drbd:r0,xvda', /^2 comma-separated fields, and xend refuses that/],
    ['drbd:r0,xvda,w,dom1,x86_64-abi,extra', /^6 comma-separated fields/],
    ['drbd:r0,xvda,rw', /^unknown mode "rw"/],
    ['drbd:r0,xvda,', /^unknown mode ""/],
    ['drbd:r0, xvda, w', /^spaces around " xvda"/],
    ['drbd:r0,xvda,w,dom 1', /^spaces around|is not a domain name/],
    ['drbd:r0,xvda,w,../x', /^"..\/x" is not a domain name or id/],
    ['/dev/vg/x,xvda,w', /has no TYPE: in front/],
    [',xvda,w', /^no device given/],
    ['phy:,xvda,w', /^no device after "phy:"/],
    ['ph:/dev/drbd/by-res/r0/0,xvda,w', /^unknown disk type "ph:"/],
    ['tap:foo:/x.img,xvda,w', /^unknown blktap disk type/],
    ['drbd:r0,xvda:floppy,w', /^unknown device type "floppy"/],
    ['drbd:r0,,w', /^no vdev specified/],
    ['phy:/dev/drbd0,xvda,w', /is a DRBD device, but not which DRBD resource it is/],
    ['drbd:r 0,xvda,w', /^DRBD resource name "r 0" is not valid/],
  ])('refuses %s, as xend would or because the resource cannot be told', (spec, problem) => {
    expect(xmFailure(spec).problem).toMatch(problem);
  });

  it('a 4- or 5-field disk read by xl (an xl host, or a guess from xl syntax) is refused as xl refuses it', () => {
    const text = "name = 'web1'\ndisk = [ 'drbd:r0,xvda,w,storage1' ]\n";
    const message = (dialect: DomuConfigDialect) => {
      const r = parseDomuConfig(text, '/etc/xen/web1.cfg', { dialect });
      return r.ok ? r.value.disks : r.error.message;
    };
    const refusal =
      '/etc/xen/web1.cfg:2:26: disk "drbd:r0,xvda,w,storage1": too many positional parameters at "storage1"; ' +
      "at most target,format,vdev,access (or a deprecated prefix:target,vdev,access); xm's 4th field, the backend domain, is backend=DOMAIN in xl";
    expect(message('xl')).toBe(refusal);
    expect(message('auto')).toBe(refusal);
  });
});

describe("a config of literals only (valid in xl syntax too) on an xm host: read by xend's rules", () => {
  const text = "name = 'gfs1'\nmemory = 512\ndisk = [ 'phy:/dev/vg/gfs1,sda1,w!', 'drbd:r0,xvda,w,storage1' ]\n";
  const read = (dialect: DomuConfigDialect) => {
    const r = parseDomuConfig(text, '/etc/xen/gfs1.cfg', { dialect });
    return r.ok ? { dialect: r.value.dialect, disks: r.value.disks.map(({ vdev, access, backend }) => ({ vdev, access, backend })), drbd: r.value.drbdResources } : r.error.message;
  };

  it('xend takes w! and the backend domain as the 4th field', () => {
    expect(read('xm')).toEqual({
      dialect: 'xm',
      disks: [
        { vdev: 'sda1', access: 'rw', backend: null },
        { vdev: 'xvda', access: 'rw', backend: 'storage1' },
      ],
      drbd: ['r0'],
    });
  });

  it('xl refuses the same file, as xl would on an xl host', () => {
    expect(read('xl')).toMatch(/^\/etc\/xen\/gfs1\.cfg:3:\d+: disk "phy:\/dev\/vg\/gfs1,sda1,w!": unknown access "w!"/);
  });
});
