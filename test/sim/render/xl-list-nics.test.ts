import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simPerTest } from '../sim-per-test.js';

/**
 * `xl list -l` prints a domU's vifs as libxl 4.17.7 stores them: what xl's parse_nic_config read
 * (tools/xl/xl_parse.c), with the devid, MAC and nic type libxl settled on at creation copied in
 * (tools/libs/light/libxl_nic.c libxl__update_config_nic), in libxl_device_nic's field order
 * (libxl_types.idl). The lab's guests have no vif, so this follows the source, not a capture.
 */
const FLEET = `
host n1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
host n2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
domu vm1 mem=512 vcpus=1 home=n1 peer=n2 drbd=r0 running=n1
`;

const start = simPerTest();

/** the "nics" array of `xl list -l NAME`, as printed */
const nicsBlock = (out: string): string => /\n {12}"nics": \[\n[\s\S]*?\n {12}\],?\n/.exec(out)?.[0] ?? '(no nics)';
const macs = (out: string): string[] => [...out.matchAll(/"mac": "([^"]+)"/g)].map((m) => m[1]!);

describe('xl list -l: nics', () => {
  it("prints the fleet config's vif (bridge=xenbr0) with devid 0, a Xen OUI MAC and nictype vif; the MAC moves with the guest", async () => {
    const s = await start({ fleet: FLEET });
    const before = (await s.run('n1', 'xl', ['list', '-l', 'vm1'])).stdout;
    const [mac] = macs(before);
    expect(mac).toMatch(/^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(nicsBlock(before)).toBe(
      '\n            "nics": [\n                {\n                    "devid": 0,\n' +
        `                    "mac": "${mac}",\n                    "bridge": "xenbr0",\n                    "nictype": "vif"\n                }\n            ],\n`,
    );
    // after the disks, before the on_* actions (libxl_domain_config's field order)
    expect(before.indexOf('"disks"')).toBeLessThan(before.indexOf('"nics"'));
    expect(before.indexOf('"nics"')).toBeLessThan(before.indexOf('"on_reboot"'));
    expect(() => JSON.parse(before)).not.toThrow();

    const m = s.start('n1', 'xl', ['migrate', 'vm1', 'n2']);
    await s.advance(10_000);
    expect((await m.done).exitCode).toBe(0);
    expect(macs((await s.run('n2', 'xl', ['list', '-l', 'vm1'])).stdout)).toEqual([mac]);
  });

  it('prints what each vif set, in libxl_device_nic order; an HVM vif without type= is vif_ioemu', async () => {
    const s = await start({ fleet: FLEET });
    const cfg =
      'name = "h1"\ntype = "hvm"\nmemory = 256\n' +
      "vif = [ 'mac=00:16:3E:0a:0B:c,bridge=xenbr1,ip=10.1.1.1', '', 'type=vif,model=e1000,vifname=h1-e2 ,untrusted,mtu=9000,backend=Domain-0,script=vif-route,gatewaydev=eth1', 'frob=1' ]\n";
    writeFileSync(join(s.hostRoot('n1'), 'etc/xen/h1.cfg'), cfg);
    const created = await s.run('n1', 'xl', ['create', '/etc/xen/h1.cfg']);
    expect(created.stderr).toBe("Parsing config from /etc/xen/h1.cfg\nunrecognized argument `frob=1'\n");
    expect(created.exitCode).toBe(0);
    const out = (await s.run('n1', 'xl', ['list', '-l', 'h1'])).stdout;
    const [, m1, m3] = macs(out);
    const nic = (fields: string[]): string => `                {\n${fields.map((f) => `                    ${f}`).join(',\n')}\n                }`;
    expect(nicsBlock(out)).toBe(
      '\n            "nics": [\n' +
        [
          nic(['"devid": 0', '"mac": "00:16:3e:0a:0b:0c"', '"ip": "10.1.1.1"', '"bridge": "xenbr1"', '"nictype": "vif_ioemu"']),
          nic(['"devid": 1', `"mac": "${m1}"`, '"nictype": "vif_ioemu"']),
          nic([
            '"backend_domname": "Domain-0"', '"devid": 2', '"mtu": 9000', '"model": "e1000"', `"mac": "${m3}"`, '"ifname": "h1-e2 "', '"script": "vif-route"',
            '"nictype": "vif"', '"gatewaydev": "eth1"', '"trusted": "False"',
          ]),
          nic(['"devid": 3', `"mac": "${macs(out)[3]}"`, '"nictype": "vif_ioemu"']),
        ].join(',\n') +
        '\n            ],\n',
    );
    expect(new Set(macs(out)).size).toBe(4);
  });

  it('a config without vif prints no nics; devid= or mtu= without digits stops xl as parse_ulong does', async () => {
    const s = await start({ fleet: FLEET });
    writeFileSync(join(s.hostRoot('n1'), 'etc/xen/bare.cfg'), 'name = "bare"\nmemory = 64\n');
    expect((await s.run('n1', 'xl', ['create', '/etc/xen/bare.cfg'])).exitCode).toBe(0);
    expect((await s.run('n1', 'xl', ['list', '-l', 'bare'])).stdout).not.toContain('"nics"');
    writeFileSync(join(s.hostRoot('n1'), 'etc/xen/bad.cfg'), "name = \"bad\"\nmemory = 64\nvif = [ 'mtu=big' ]\n");
    const bad = await s.run('n1', 'xl', ['create', '/etc/xen/bad.cfg']);
    expect({ stderr: bad.stderr, rc: bad.exitCode }).toEqual({ stderr: 'Parsing config from /etc/xen/bad.cfg\nxl: failed to convert "big" to number\n', rc: 1 });
  });
});
