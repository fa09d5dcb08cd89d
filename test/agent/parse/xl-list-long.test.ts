import { describe, expect, it } from 'vitest';
import { parseXlListLong, type XlDomainDetail } from '../../../agent/parse/xl-list-long.js';
import { readFixture } from '../../fixture.js';

const web1: XlDomainDetail = {
  domid: 9,
  name: 'web1',
  uuid: '4a1c6f0e-6a9b-4a55-9a8e-0c2f2f1b9d31',
  type: 'pvh',
  maxMemKiB: 1048576,
  targetMemKiB: 1048576,
  maxVcpus: 2,
  disks: [
    { pdevPath: 'r0', vdev: 'xvda', backend: 'phy', format: 'raw', script: 'block-drbd', readwrite: true, cdrom: false },
    { pdevPath: '/dev/vg0/web1-swap', vdev: 'xvdb', backend: 'phy', format: 'raw', script: null, readwrite: true, cdrom: false },
    { pdevPath: '/srv/iso/tools.iso', vdev: 'xvdc', backend: 'qdisk', format: 'raw', script: null, readwrite: false, cdrom: true },
  ],
  nics: [
    { devid: 0, mac: '00:16:3e:5a:01:02', bridge: 'xenbr0', ip: null, script: 'vif-bridge' },
    { devid: 1, mac: '00:16:3e:5a:01:03', bridge: 'xenbr1', ip: '10.0.0.21', script: null },
  ],
};

describe('parseXlListLong', () => {
  it('4-space JSON with Domain-0, a PVH and an HVM guest', () => {
    const r = parseXlListLong(readFixture('xl/list-long-4.17-gen-4space.json').body);
    expect(r).toEqual({
      ok: true,
      value: [
        { domid: 0, name: 'Domain-0', uuid: '00000000-0000-0000-0000-000000000000', type: 'pv', maxMemKiB: 4194304, targetMemKiB: 4194304, maxVcpus: 4, disks: [], nics: [] },
        web1,
        {
          domid: 12, name: 'db1', uuid: 'd0a2b3c4-1111-4222-8333-944455556666', type: 'hvm', maxMemKiB: 8388608, targetMemKiB: 4194304, maxVcpus: 4, nics: [],
          disks: [
            { pdevPath: 'r1', vdev: 'xvda', backend: 'phy', format: null, script: 'block-drbd', readwrite: true, cdrom: false },
            // readwrite left out = 0 = read-only (libxl omits default values)
            { pdevPath: '/dev/drbd2', vdev: 'xvdb', backend: 'phy', format: null, script: null, readwrite: false, cdrom: false },
          ],
        },
      ],
    });
  });
  it('2-space JSON gives the same data', () => {
    expect(parseXlListLong(readFixture('xl/list-long-4.4-gen-2space.json').body)).toEqual({ ok: true, value: [web1] });
  });
  it('Xen 4.21+ built with json-c: its pretty form (no blank after the colon, "/" as "\\/") reads as the yajl form', () => {
    const jsonc = readFixture('xl/list-long-4.21-gen-jsonc.json').body;
    expect(jsonc).toContain('"domid":1,');
    expect(jsonc).toContain('"pdev_path":"r0"');
    expect(jsonc).toContain('"\\/boot\\/vmlinuz-6.1.0-56-amd64"');
    const yajl = parseXlListLong(readFixture('real-xen-4.17/09-guest-running-on-a/dom0a.xl-list-l.stdout').body);
    const r = parseXlListLong(jsonc);
    expect(r.ok && r.value.map((d) => d.name)).toEqual(['Domain-0', 'tiny']);
    expect(r.ok && r.value[1]?.disks[0]).toEqual({ pdevPath: 'r0', vdev: 'xvda', backend: null, format: 'raw', script: 'block-drbd', readwrite: true, cdrom: false });
    expect(r).toEqual(yajl);
  });
  it('Xen 4.2–4.4 JSON: every field printed, unset strings as null, which read as absent', () => {
    expect(parseXlListLong(readFixture('xl/list-long-4.4-gen-nulls.json').body)).toEqual({
      ok: true,
      value: [
        {
          domid: 3, name: 'web2', uuid: '5b0e7d1c-3f2a-4c8e-9d41-7a6b2c9e0f13', type: 'pv', maxMemKiB: 1048576, targetMemKiB: 1048576, maxVcpus: 2,
          disks: [
            // pre-4.5 xl re-reads the stored config without filling defaults: backend stays "unknown"
            { pdevPath: 'r1', vdev: 'xvda', backend: 'unknown', format: 'raw', script: 'block-drbd', readwrite: true, cdrom: false },
            { pdevPath: '/dev/vg0/web2-swap', vdev: 'xvdb', backend: 'unknown', format: 'raw', script: null, readwrite: true, cdrom: false },
          ],
          nics: [{ devid: 0, mac: '00:16:3e:5a:02:01', bridge: 'xenbr0', ip: null, script: null }],
        },
      ],
    });
  });
  it('a null is "not set" only where the field is optional', () => {
    const domain = (cInfo: string) => `[{"domid": null, "config": {"c_info": ${cInfo}, "b_info": null, "disks": [{"vdev": "xvda", "script": null, "is_cdrom": null}]}}]`;
    const r = parseXlListLong(domain('{"name": "x", "uuid": null}'));
    expect(r.ok && r.value[0]).toMatchObject({ domid: null, name: 'x', uuid: null, maxMemKiB: null, disks: [{ vdev: 'xvda', script: null, cdrom: false }] });
    const noName = parseXlListLong(domain('{"name": null}'));
    expect(!noName.ok && noName.error.expected).toMatch(/0\.config\.c_info\.name/);
  });
  it('SXP output is a typed failure that says how to fix it', () => {
    const r = parseXlListLong(readFixture('xl/list-long-gen-sxp.txt').body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'XH_ERR_TOOL_OUTPUT', tool: 'xl', line: 1, text: '(domain' });
      expect(r.error.message).toContain('output_format="json"');
    }
  });
  it('SXP of xl 4.1 (which has no JSON) says so instead of only pointing at xl.conf', () => {
    const r = parseXlListLong('(domain\n\t(domid 1)\n\t(domain_create_info)\n\t(hvm 0)\n\t(hap 1)\n\t(oos 1)\n\t(ssidref 0)\n\t(name web2)\n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'XH_ERR_TOOL_OUTPUT', tool: 'xl', line: 1, text: '(domain' });
      expect(r.error.expected).toMatch(/xl before 4\.2 prints only SXP; on 4\.2 or later set output_format="json"/);
    }
  });
  it('xl 4.0.0 ignores -l and prints the plain list: named as such', () => {
    const r = parseXlListLong('Name                                        ID   Mem VCPUs\tState\tTime(s)\nDomain-0                                     0  2048     2        r--     61.3\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ line: 1, expected: expect.stringMatching(/plain `xl list` table: xl 4\.0\.0 has no `list -l`/) });
  });
  it('an empty array (no domain has a stored config)', () => expect(parseXlListLong('[\n]\n')).toEqual({ ok: true, value: [] }));
  it('a single object is one domain', () => {
    const r = parseXlListLong('{"domid": 3, "config": {"c_info": {"name": "x"}}}');
    expect(r.ok && r.value[0]?.name).toBe('x');
  });
  it('truncated JSON names the last line', () => {
    const full = readFixture('xl/list-long-4.17-gen-4space.json').body;
    const cut = full.split('\n').slice(0, 20).join('\n');
    const r = parseXlListLong(cut);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.line).toBe(20);
  });
  it('malformed JSON names the line', () => {
    const r = parseXlListLong('[\n  {"domid": 1,\n   "config": {oops}\n]');
    expect(!r.ok && r.error.line).toBe(3);
  });
  it('wrong shape is refused with the path', () => {
    const r = parseXlListLong('[{"domid": "one", "config": {"c_info": {"name": "x"}}}]');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.expected).toMatch(/0\.domid/);
  });
  it('empty output is refused: a failed JSON generator, or SXP output with no domain, which xenherd cannot read either', () => {
    for (const text of ['', '\n', '  \n\n']) {
      const r = parseXlListLong(text);
      expect(r.ok, JSON.stringify(text)).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ line: 0, expected: expect.stringMatching(/at least "\[\]", and nothing only when it failed to make the JSON.*set output_format="json" in \/etc\/xen\/xl\.conf/) });
    }
  });
});
