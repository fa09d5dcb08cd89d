import { describe, expect, it } from 'vitest';
import { parseXlInfo, parseXmInfo } from '../../../agent/parse/xl-info.js';
import { readFixture } from '../../fixture.js';

const info = (fixture: string, xm = false) => {
  const r = (xm ? parseXmInfo : parseXlInfo)(readFixture(fixture).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseXlInfo', () => {
  it('Xen 4.4.3 (Xen4CentOS), real capture', () => {
    const i = info('xl/info-4.4.3-centos6.txt');
    expect(i).toMatchObject({
      host: 'localhost.localdomain',
      release: '3.18.25-19.el6.x86_64',
      xenMajor: 4,
      xenMinor: 4,
      xenExtra: '.3-12.el6',
      xenVersion: '4.4.3-12.el6',
      totalMemoryMiB: 1663,
      freeMemoryMiB: 617,
      nrCpus: 4,
      xenCaps: ['xen-3.0-x86_64', 'xen-3.0-x86_32p', 'hvm-3.0-x86_32', 'hvm-3.0-x86_32p', 'hvm-3.0-x86_64'],
      xenScheduler: 'credit',
      xenCommandline: 'dom0_mem=1024M,max:1024M cpuinfo com1=115200,8n1 console=com1,tty loglvl=all guest_loglvl=all',
    });
    expect(Object.keys(i.raw)).toHaveLength(33);
    expect(i.raw['xen_changeset']).toBe('Wed Feb 17 12:38:38 2016 +0000 git:8978853-dirty');
    expect(i.raw['xend_config_format']).toBe('4');
  });
  it('Xen 4.17.0 arm64, real capture, empty value', () => {
    const i = info('xl/info-4.17.0-arm64.txt');
    expect(i).toMatchObject({ host: 'zynqmp-generic', xenMajor: 4, xenMinor: 17, xenExtra: '.0', xenVersion: '4.17.0', totalMemoryMiB: 4095, freeMemoryMiB: 2529, nrCpus: 4, xenCaps: ['xen-3.0-aarch64', 'xen-3.0-armv7l'], xenScheduler: 'credit2' });
    expect(i.raw['cc_compile_domain']).toBe('');
    expect(i.raw['build_id']).toBe('5e2952e1dd06c52a2a09ada7476333c48d88a285');
    expect(Object.keys(i.raw)).toHaveLength(34);
  });
  it('Xen 4.20.1 (openSUSE), real capture: empty xen_commandline, blanks after empty values and after xen_caps', () => {
    const i = info('xl/info-4.20.1-opensuse.txt');
    expect(i).toMatchObject({ host: 'xensrv', xenMajor: 4, xenMinor: 20, xenExtra: '.1_02-1', xenVersion: '4.20.1_02-1', totalMemoryMiB: 32677, freeMemoryMiB: 28057, nrCpus: 24, xenScheduler: 'credit2', xenCommandline: '' });
    expect(i.xenCaps).toEqual(['xen-3.0-x86_64', 'hvm-3.0-x86_32', 'hvm-3.0-x86_32p', 'hvm-3.0-x86_64']);
    expect(i.raw['cc_compile_domain']).toBe('[unknown]');
    expect(Object.keys(i.raw)).toHaveLength(34);
  });
  it('Xen 4.11.4 (Debian 10), real capture: the older, shorter virt_caps, an empty value without a blank', () => {
    const i = info('xl/info-4.11.4-debian10.txt');
    expect(i).toMatchObject({ host: 'xxx', xenMajor: 4, xenMinor: 11, xenExtra: '.4', xenVersion: '4.11.4', totalMemoryMiB: 32542, freeMemoryMiB: 20836, nrCpus: 4, xenScheduler: 'credit' });
    expect(i.raw['virt_caps']).toBe('hvm hvm_directio');
    expect(i.raw['xen_changeset']).toBe('');
    expect(Object.keys(i.raw)).toHaveLength(34);
  });
  it('Xen 4.19.1 (Alpine), real capture', () => {
    const i = info('xl/info-4.19.1-alpine.txt');
    expect(i).toMatchObject({ host: 'saphir.local', xenMajor: 4, xenMinor: 19, xenVersion: '4.19.1', totalMemoryMiB: 7933, freeMemoryMiB: 2341, nrCpus: 12, xenCommandline: 'placeholder loglevel=0 console=null dom0_mem=512M,max:1024M no-real-mode edd=off' });
    expect(i.raw['virt_caps']).toBe('pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share vmtrace gnttab-v1 gnttab-v2');
    expect(Object.keys(i.raw)).toHaveLength(34);
  });
  it('keys added after 4.17 are plain key lines: arm_sve_vector_length (Arm, 4.18+), xenstore_features (`xl info -x`, 4.21+)', () => {
    // GENERATED from RELEASE-4.21.0 tools/xl/xl_info.c: output_physinfo prints "arm_sve_vector_length  : %u" after
    // virt_caps on Arm builds; output_xenstore_info prints "xenstore_features      : 0x%08x" before xend_config_format.
    const text = readFixture('xl/info-4.20.1-opensuse.txt')
      .body.replace(/^(virt_caps .*\n)/m, '$1arm_sve_vector_length  : 0\n')
      .replace(/^xend_config_format/m, 'xenstore_features      : 0x00000001\nxend_config_format');
    const r = parseXlInfo(text);
    expect(r.ok && r.value.raw['arm_sve_vector_length']).toBe('0');
    expect(r.ok && r.value.raw['xenstore_features']).toBe('0x00000001');
    expect(r.ok && r.value.totalMemoryMiB).toBe(32677);
  });
  it('xl info -n: numa/cpu/device tables are skipped', () => {
    const i = info('xl/info-4.17-gen-numa.txt');
    expect(i).toMatchObject({ host: 'dom0-a', xenVersion: '4.17.5-pre', xenExtra: '.5-pre', totalMemoryMiB: 32668, freeMemoryMiB: 20211, nrCpus: 8 });
    expect(i.raw['virt_caps']).toBe('pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share gnttab-v1 gnttab-v2');
    expect(i.raw['numa_info']).toBe('');
    expect(i.raw['xen_changeset']).toBe('');
    expect(i.raw['xend_config_format']).toBe('4');
    expect(Object.keys(i.raw)).not.toContain('node');
  });
  it('xm info (xend, Xen 4.1 layout)', () => {
    const i = info('xm/info-gen-4.1.txt', true);
    expect(i).toMatchObject({ host: 'xen-a', xenVersion: '4.1.4', xenMajor: 4, xenMinor: 1, totalMemoryMiB: 16374, freeMemoryMiB: 9120, nrCpus: 8, xenScheduler: 'credit' });
    expect(i.raw['node_to_cpu']).toBe('node0:0-7');
  });
  it('xm info, 2 NUMA nodes (xend 3.2–4.0): indented lines continue the node_to_* values', () => {
    const i = info('xm/info-gen-4.0-2node.txt', true);
    expect(i).toMatchObject({ host: 'xen-b', xenMajor: 4, xenMinor: 0, xenExtra: '.1', xenVersion: '4.0.1', totalMemoryMiB: 16383, freeMemoryMiB: 4095, nrCpus: 8, xenScheduler: 'credit', xenCommandline: 'dom0_mem=2048M' });
    expect(i.raw['node_to_cpu']).toBe('node0:0-3\nnode1:4-7');
    expect(i.raw['node_to_memory']).toBe('node0:2047\nnode1:2048');
    expect(i.raw['node_to_dma32_mem']).toBe('node0:2991\nnode1:0');
    expect(i.raw['max_node_id']).toBe('1');
    expect(i.raw['xen_major']).toBe('4');
    expect(Object.keys(i.raw)).toHaveLength(31);
  });
  it('Xen 4.18.0 x86, real capture (pasted without its hw_caps line)', () => {
    const i = info('xl/info-4.18.0-x86-no-hwcaps.txt');
    expect(i).toMatchObject({ host: 'abc.intel.com', release: '5.15.0-73-generic', xenMajor: 4, xenMinor: 18, xenExtra: '.0', xenVersion: '4.18.0', totalMemoryMiB: 522954, freeMemoryMiB: 507728, nrCpus: 56, xenScheduler: 'credit2' });
    expect(i.xenCaps).toEqual(['xen-3.0-x86_64', 'hvm-3.0-x86_32', 'hvm-3.0-x86_32p', 'hvm-3.0-x86_64']);
    expect(i.xenCommandline).toMatch(/^placeholder console=vga dom0_mem=10096M .* cpufreq=hwp:hdc=0;xen:performance,verbose no-real-mode edd=off$/);
    expect(i.raw['xen_changeset']).toBe('');
    expect(i.raw['hw_caps']).toBeUndefined();
    expect(Object.keys(i.raw)).toHaveLength(33);
  });
  it('Xen 4.18.2 arm64 (openEuler), real capture: arm_sve_vector_length, empty values without a blank', () => {
    const i = info('xl/info-4.18.2-openeuler-arm64.txt');
    expect(i).toMatchObject({ host: 'qemu-aarch64', xenMajor: 4, xenMinor: 18, xenVersion: '4.18.2', totalMemoryMiB: 2048, freeMemoryMiB: 1427, nrCpus: 3, xenScheduler: 'credit2' });
    expect(i.xenCaps).toEqual(['xen-3.0-aarch64', 'xen-3.0-armv7l']);
    expect(i.raw['arm_sve_vector_length']).toBe('0');
    expect(i.raw['cc_compile_by']).toBe('');
    expect(i.raw['cc_compiler']).toBe('aarch64-openeuler-linux-gnu-gcc (crosstool-NG 1.26.0) 12.3.1 20');
    expect(Object.keys(i.raw)).toHaveLength(35);
  });
});

describe('parseXlInfo: malformed and truncated input', () => {
  it('empty', () => {
    const r = parseXlInfo('');
    expect(!r.ok && r.error.line).toBe(0);
  });
  it('garbage line names its number', () => {
    const r = parseXlInfo('host                   : a\nthis is not a key value line\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ tool: 'xl', line: 2, text: 'this is not a key value line' });
  });
  it('a key of one line with its value on the next line (a wrapped capture) is refused at that line, not read as a table row', () => {
    // the real 4.4.3 capture with hw_caps's value moved to a line of its own
    const caps = '0fabfbff:2c100800:00000000:00003f00:f6fa3223:00000000:00000001:00000281';
    const text = readFixture('xl/info-4.4.3-centos6.txt').body.replace(`hw_caps                : ${caps}`, `hw_caps                :\n${caps}`);
    const r = parseXlInfo(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ tool: 'xl', line: 12, text: caps });
      expect(r.error.expected).toBe('"key : value" (xl prints lines of its own only under numa_info, cpu_topology and device topology (`xl info -n`); "hw_caps" above is a key of one line)');
    }
  });
  it('xm: after a key with an empty value, an indented line is its value and a line of no key is refused', () => {
    const head = `${readFixture('xm/info-gen-4.1.txt').body.replace('node_to_cpu            : node0:0-7\n', '')}node_to_cpu            :\n`;
    const joined = parseXmInfo(`${head}                         node0:0-3\n`);
    expect(joined.ok && joined.value.raw['node_to_cpu']).toBe('node0:0-3');
    const refused = parseXmInfo(`${head}node0:0-3\n`);
    expect(refused.ok ? null : refused.error).toMatchObject({ tool: 'xm', text: 'node0:0-3', expected: '"key : value"' });
  });
  it('output cut before the memory keys', () => {
    const text = readFixture('xl/info-4.17.0-arm64.txt').body.split('\n').slice(0, 10).join('\n');
    const r = parseXlInfo(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.expected).toMatch(/xen_major.*truncated/);
  });
  it('xl whose physical info Xen refused (4.4.2, real capture): named as that, not as a cut-off output', () => {
    // the version keys xl prints after the physical info are there, so nothing was cut
    const r = parseXlInfo(readFixture('xl/info-4.4.2-ubuntu-physinfo-denied.txt').body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.expected).toMatch(/^key "total_memory": xl printed the Xen version but no host physical info .* libxl_get_physinfo failed/);
    expect(r.error.expected).toMatch(/built for another Xen than the running one/);
    expect(r.error.expected).not.toMatch(/truncated/);
  });
  it('non-numeric memory names the line', () => {
    const text = readFixture('xl/info-4.4.3-centos6.txt').body.replace('free_memory            : 617', 'free_memory            : lots');
    const r = parseXlInfo(text);
    expect(!r.ok && r.error.line).toBe(14);
  });
  it('xm: an indented line with no key line above it names its line', () => {
    const cont = '                         node1:4-7';
    for (const [text, line] of [[`${cont}\nhost                   : a\n`, 1], [`WARNING: xend/xm is deprecated.\n${cont}\n`, 2]] as const) {
      const r = parseXmInfo(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ tool: 'xm', line, text: cont, expected: expect.stringMatching(/continues the value of the key line above it/) });
    }
  });
  it('xl prints no continuation lines: the xend 2-node layout is refused at its first indented line', () => {
    const r = parseXlInfo(readFixture('xm/info-gen-4.0-2node.txt').body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ tool: 'xl', line: 15, text: '                         node1:4-7' });
  });
  it('the hypervisor missing (xl run in a non-Xen kernel) is not info', () => {
    const r = parseXlInfo("ERROR:  Can't find hypervisor information in sysfs!\n");
    expect(!r.ok && r.error.line).toBe(1);
  });
});
