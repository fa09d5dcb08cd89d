import { describe, expect, it } from 'vitest';
import { parseDomuConfig, type DiskSpec, type DomuConfig, type VifSpec } from '../../../agent/parse/domu-config.js';
import { listFixtures, readFixture } from '../../fixture.js';

// Every valid fixture in test/fixtures/domu-config/, read byte for byte, with the exact typed view
// expected. Broken fixtures are covered in domu-config-errors.test.ts.

const disk = (spec: string, over: Partial<DiskSpec>): DiskSpec => ({
  spec, vdev: '', access: 'rw', target: null, format: 'raw', devtype: 'disk', script: null, backend: null, backendtype: null, drbdResource: null, ...over,
});
const drbd = (spec: string, resource: string, vdev: string, access: 'rw' | 'ro' = 'rw', script = 'block-drbd'): DiskSpec =>
  disk(spec, { vdev, access, target: resource, script, drbdResource: resource });
const vif = (spec: string, options: Record<string, string>): VifSpec => ({
  spec, options, mac: options['mac'] ?? null, bridge: options['bridge'] ?? null, ip: options['ip'] ?? null, vifname: options['vifname'] ?? null,
});
const EMPTY_VIF = vif('', {});
const none = { maxmemMiB: null, vcpus: null, type: null, builder: null, kernel: null, ramdisk: null, bootloader: null, extra: null };

type View = Omit<DomuConfig, 'settings' | 'file'>;
const expected: Record<string, View & { keys: string[] }> = {
  'blog-heartbeat-host1-dom.cfg': {
    ...none, dialect: 'xl', name: 'host1', memoryMiB: 1024,
    kernel: '/boot/vmlinuz-2.6.18-6-xen-686', ramdisk: '/boot/initrd.img-2.6.18-6-xen-686', extra: '4',
    disks: [drbd('drbd:host1_root,xvda,w', 'host1_root', 'xvda'), drbd('drbd:host1_swap,xvdb,w', 'host1_swap', 'xvdb')],
    vifs: [vif('bridge=xenbr0', { bridge: 'xenbr0' })],
    drbdResources: ['host1_root', 'host1_swap'],
    keys: ['kernel', 'ramdisk', 'memory', 'name', 'disk', 'vif', 'root', 'extra'],
  },
  'keyword-drbd-disks.cfg': {
    ...none, dialect: 'xl', name: 'SystemHA', memoryMiB: 256, maxmemMiB: 512, vcpus: 2,
    kernel: '/var/lib/xen/images/ubuntu-netboot/vmlinuz', extra: 'debian-installer/exit/always_halt=true -- console=hvc0',
    disks: [
      drbd('vdev=xvda, access=rw, script=block-drbd, target=drbd-vm', 'drbd-vm', 'xvda'),
      drbd('format=raw, vdev=xvdb, access=w, script=/etc/xen/scripts/block-drbd, target=drbd-vm-swap', 'drbd-vm-swap', 'xvdb', 'rw', '/etc/xen/scripts/block-drbd'),
      drbd('drbd:drbd-vm,xvdc,r', 'drbd-vm', 'xvdc', 'ro'), // appended by `disk += [...]`
    ],
    vifs: [vif('mac=18:66:da:03:15:b1,bridge=xenbr0', { mac: '18:66:da:03:15:b1', bridge: 'xenbr0' })],
    drbdResources: ['drbd-vm', 'drbd-vm-swap'],
    keys: ['name', 'memory', 'maxmem', 'vcpus', 'disk', 'vif', 'kernel', 'extra'],
  },
  'remus-systemha.cfg': {
    ...none, dialect: 'xl', name: 'SystemHA', memoryMiB: 256,
    kernel: '/var/lib/xen/images/ubuntu-netboot/vmlinuz', ramdisk: '/var/lib/xen/images/ubuntu-netboot/initrd.gz',
    extra: 'debian-installer/exit/always_halt=true -- console=hvc0',
    disks: [drbd('drbd:drbd-vm,xvda,w', 'drbd-vm', 'xvda')],
    vifs: [vif('mac=18:66:da:03:15:b1,bridge=xenbr0', { mac: '18:66:da:03:15:b1', bridge: 'xenbr0' })],
    drbdResources: ['drbd-vm'],
    keys: ['name', 'memory', 'disk', 'vif', 'kernel', 'ramdisk', 'extra'],
  },
  'remus-ubuntu-hvm.cfg': {
    // memory = "512": libxl converts quoted numbers too (xlu_cfg_get_long uses strtol on the string)
    ...none, dialect: 'xl', name: 'ubuntu', memoryMiB: 512, vcpus: 1, type: 'hvm', builder: 'hvm',
    disks: [
      disk('phy:/dev/ubuntu/ubuntu-hvm,hda,w', { vdev: 'hda', target: '/dev/ubuntu/ubuntu-hvm' }),
      disk('file:/home/cheng/ubuntu-12.04-desktop-amd64.iso,hdc:cdrom,r', { vdev: 'hdc', access: 'ro', target: '/home/cheng/ubuntu-12.04-desktop-amd64.iso', devtype: 'cdrom' }),
    ],
    vifs: [vif('mac=18:66:da:03:15:b1,bridge=xenbr0', { mac: '18:66:da:03:15:b1', bridge: 'xenbr0' })],
    drbdResources: [],
    keys: ['builder', 'name', 'memory', 'vcpus', 'vif', 'disk', 'vnc', 'boot'],
  },
  'xlexample-hvm.cfg': {
    ...none, dialect: 'xl', name: 'example.hvm', memoryMiB: 128, vcpus: 2, type: 'hvm',
    disks: [disk('/dev/vg/guest-volume,raw,xvda,rw', { vdev: 'xvda', target: '/dev/vg/guest-volume' })],
    vifs: [EMPTY_VIF], drbdResources: [],
    keys: ['type', 'name', 'memory', 'vcpus', 'vif', 'disk', 'sdl'],
  },
  'xlexample-pvhlinux.cfg': {
    ...none, dialect: 'xl', name: 'example.pvhlinux', memoryMiB: 512, vcpus: 4, type: 'pvh', kernel: '/boot/vmlinuz', extra: 'root=/dev/xvda1',
    disks: [disk('/dev/zvol/tank/guest-volume,raw,xvda,rw', { vdev: 'xvda', target: '/dev/zvol/tank/guest-volume' })],
    vifs: [EMPTY_VIF], drbdResources: [],
    keys: ['type', 'name', 'kernel', 'extra', 'memory', 'vcpus', 'vif', 'disk'],
  },
  'xlexample-pvlinux.cfg': {
    ...none, dialect: 'xl', name: 'example.pvlinux', memoryMiB: 128, vcpus: 2, kernel: '/boot/vmlinuz', extra: 'root=/dev/xvda1',
    disks: [disk('/dev/vg/guest-volume,raw,xvda,rw', { vdev: 'xvda', target: '/dev/vg/guest-volume' })],
    vifs: [EMPTY_VIF], drbdResources: [],
    keys: ['name', 'kernel', 'extra', 'memory', 'vcpus', 'vif', 'disk'],
  },
  'xm-python-literals.cfg': {
    // Python-only syntax: xl refuses it, the xm reader takes it; as in xend, None, the tuple vif and
    // True leave their settings unset (xm/opts.py takes only str, list, int and float values)
    ...none, dialect: 'xm', name: 'host1', memoryMiB: 1024, kernel: '/boot/vmlinuz-2.6.18-6-xen-686', extra: '4',
    disks: [drbd('drbd:host1_root,xvda,w', 'host1_root', 'xvda'), drbd('drbd:host1_swap,xvdb,w', 'host1_swap', 'xvdb')],
    vifs: [],
    drbdResources: ['host1_root', 'host1_swap'],
    keys: ['kernel', 'memory', 'name', 'disk', 'root', 'extra', 'XENHERD_NOTE'],
  },
  'xmexample-hvm.cfg': {
    // xend's empty cdrom ",hdc:cdrom,r": no target, format empty
    ...none, dialect: 'xl', name: 'ExampleHVMDomain', memoryMiB: 128, type: 'hvm', builder: 'hvm', kernel: 'hvmloader',
    disks: [
      disk('file:/var/images/min-el3-i386.img,hda,w', { vdev: 'hda', target: '/var/images/min-el3-i386.img' }),
      disk(',hdc:cdrom,r', { vdev: 'hdc', access: 'ro', format: 'empty', devtype: 'cdrom' }),
    ],
    vifs: [vif('type=ioemu, bridge=xenbr0', { type: 'ioemu', bridge: 'xenbr0' })],
    drbdResources: [],
    keys: ['kernel', 'builder', 'memory', 'name', 'vif', 'disk', 'device_model', 'sdl', 'opengl', 'vnc', 'vncpasswd', 'stdvga', 'serial', 'tsc_mode'],
  },
  'xmexample-nbd.cfg': {
    // nbd: is a script prefix like drbd: (block-nbd); the target keeps its space
    ...none, dialect: 'xl', name: 'nbd4', memoryMiB: 128, kernel: '/boot/vmlinuz-2.6.13-15b-xen', ramdisk: '/boot/initrd-2.6.13-15b-xen', extra: '3',
    disks: [disk('nbd:134.100.233.115 20004,hda1,w', { vdev: 'hda1', target: '134.100.233.115 20004', script: 'block-nbd' })],
    vifs: [EMPTY_VIF], drbdResources: [],
    keys: ['kernel', 'ramdisk', 'memory', 'name', 'vif', 'disk', 'dhcp', 'hostname', 'root', 'extra'],
  },
  'blog-nested-xen-bare-vif.cfg': {
    // 'xenbr0' is no key=value: xl reports "unrecognized argument" and starts the domU; so is it read, the part skipped
    ...none, dialect: 'xl', name: 'example.hvm', memoryMiB: 128, vcpus: 2, type: 'hvm', builder: 'hvm',
    disks: [disk('/root/cirros.img,qcow2,xvda', { vdev: 'xvda', target: '/root/cirros.img', format: 'qcow2' })],
    vifs: [vif('xenbr0', {})], drbdResources: [],
    keys: ['builder', 'name', 'memory', 'vcpus', 'vif', 'disk', 'vnc', 'vnclisten'],
  },
  'xen-tools-4.4-testserver.cfg': {
    // read by xl's rules, the space xen-tools leaves before the comma stays in the value, as xl keeps it
    ...none, dialect: 'xl', name: 'testServer', memoryMiB: 1024, vcpus: 1, bootloader: '/usr/lib/xen-4.4/bin/pygrub',
    disks: [
      disk('file:/mnt/xen/domains/testServer/disk.img,xvda2,w', { vdev: 'xvda2', target: '/mnt/xen/domains/testServer/disk.img' }),
      disk('file:/mnt/xen/domains/testServer/swap.img,xvda1,w', { vdev: 'xvda1', target: '/mnt/xen/domains/testServer/swap.img' }),
    ],
    vifs: [vif('ip=192.168.1.155 ,mac=00:16:3E:1C:84:8E', { ip: '192.168.1.155 ', mac: '00:16:3E:1C:84:8E' })],
    drbdResources: [],
    keys: ['bootloader', 'vcpus', 'memory', 'root', 'disk', 'name', 'vif', 'on_poweroff', 'on_reboot', 'on_crash'],
  },
  'xmexample1.cfg': {
    ...none, dialect: 'xl', name: 'ExampleDomain', memoryMiB: 64, kernel: '/boot/vmlinuz-2.6.10-xenU', extra: '4',
    disks: [disk('phy:hda1,hda1,w', { vdev: 'hda1', target: 'hda1' })],
    vifs: [EMPTY_VIF], drbdResources: [],
    keys: ['kernel', 'memory', 'name', 'vif', 'disk', 'root', 'extra'],
  },
};

describe('domU config fixtures', () => {
  const valid = listFixtures('domu-config').filter((f) => !/broken-|xmexample2|placeholder/.test(f));

  it('has an expectation for every valid fixture', () => {
    expect(valid.map((f) => f.replace('domu-config/', '')).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const rel of valid) {
    const name = rel.replace('domu-config/', '');
    it(name, () => {
      const fx = readFixture(rel);
      const r = parseDomuConfig(fx.body, `/etc/xen/${name}`, { dialect: 'auto' });
      if (!r.ok) throw new Error(r.error.message);
      const { settings, file, ...view } = r.value;
      const { keys, ...want } = expected[name] as View & { keys: string[] };
      expect(file).toBe(`/etc/xen/${name}`);
      expect(view).toEqual(want);
      expect([...settings.keys()]).toEqual(keys);
    });
  }

  it('keeps settings it has no typed field for, as written', () => {
    const r = parseDomuConfig(readFixture('domu-config/xm-python-literals.cfg').body, 'x.cfg', { dialect: 'auto' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.settings.get('root')).toMatchObject({ kind: 'atom', text: '/dev/xvda ro' }); // adjacent literals joined
    expect(r.value.settings.has('localtime')).toBe(false); // a bool: xend passes it by
    expect(r.value.settings.get('XENHERD_NOTE')).toMatchObject({ text: 'C:\\not\\an\\escape' }); // raw string
  });
});
