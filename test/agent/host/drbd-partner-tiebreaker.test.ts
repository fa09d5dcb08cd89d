import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAgentConfig } from '../../../agent/config/load.js';
import { hostFiles } from '../../../agent/host/files.js';
import { readGuarded } from '../../../agent/host/host-read.js';
import { drbdPeerOf, readHomes, resourceHosts } from '../../../agent/host/homes.js';
import { readFixture } from '../../fixture.js';

// A domU's partner, when migrate-tab names none, is the one other host of its `.res` files. With
// DRBD 9 two Dom0s often sit beside a diskless quorum tiebreaker (`on witness { volume 0 { disk
// none; } }`): it is a host of the resource but holds no copy to run the domU on. Counted as one,
// the domU had two other hosts and so no partner: `migrate web1` with no target had nowhere to
// go, and guarded autostart did not check that its partner's connection is up.

const RESOURCE = 'tiebreaker-test';
const config = defaultAgentConfig();
let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

function host(res: string, resource = RESOURCE): string {
  const root = mkdtempSync(join(tmpdir(), 'xenherd-tiebreaker-'));
  roots.push(root);
  const files: Record<string, string> = {
    [`${config.guardedDir}/web1.cfg`]: `name = "web1"\nmemory = 512\nvcpus = 1\ndisk = [ 'drbd:${resource},xvda,w' ]\n`,
    [`${config.migration.drbdConfigDir}/${resource}.res`]: res,
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe("a domU's DRBD partner beside a diskless tiebreaker", () => {
  const tiebreaker = readFixture('drbd/res/drbd-utils-tiebreaker.res').body;

  it("drbd-utils' tiebreaker test file: the other data node is the partner, of the guarded domU too; the diskless hosts stay hosts of the resource", async () => {
    const files = hostFiles(host(tiebreaker));
    const v = { files, config, host: 'undertest' };
    expect(await drbdPeerOf(v, [RESOURCE])).toBe('other');
    const homes = await readHomes(v, await readGuarded(files, config.guardedDir, 'xl'));
    expect(homes.problems).toEqual([]);
    expect(homes.homes.get('web1')).toMatchObject({ peer: 'other', source: 'guarded', drbdResources: [RESOURCE] });
    expect((await resourceHosts(v, [RESOURCE])).get(RESOURCE)).toMatchObject({ hosts: ['undertest', 'other', 'witness', 'dless'], diskless: ['witness', 'dless'] });
  });

  it('two data nodes besides this one are still no single partner, and a tiebreaker alone is none', async () => {
    const third = tiebreaker.replace('on "dless" {', 'on "third" {').replace('disk none;\n\t\t\ttiebreaker no;', 'tiebreaker no;');
    expect(third.match(/disk none/g)).toHaveLength(1);
    expect(await drbdPeerOf({ files: hostFiles(host(third)), config, host: 'undertest' }, [RESOURCE])).toBeNull();
    const alone = `resource "${RESOURCE}" {\n\ton "undertest" { disk /dev/vg/r; address 10.0.0.1:7000; }\n\ton "witness" { disk none; address 10.0.0.2:7000; }\n}\n`;
    expect(await drbdPeerOf({ files: hostFiles(host(alone)), config, host: 'undertest' }, [RESOURCE])).toBeNull();
  });
});

describe("a domU's DRBD partner on a stacked resource", () => {
  it("drbd-utils' stacked test file: r0-U on a Dom0 of r0 has no partner, and its file is named as a problem; its far-site `on` host was read as the partner", async () => {
    const files = hostFiles(host(readFixture('drbd/res/drbd-utils-stacked-implicit-conn.res').body, 'r0-U'));
    const v = { files, config, host: 'undertest' };
    expect(await drbdPeerOf(v, ['r0-U'])).toBeNull();
    expect((await resourceHosts(v, ['r0-U'])).get('r0-U')).toMatchObject({ problem: expect.stringContaining('resource r0-U is stacked on r0') });
    const homes = await readHomes(v, await readGuarded(files, config.guardedDir, 'xl'));
    expect(homes.homes.get('web1')).toMatchObject({ peer: null, drbdResources: ['r0-U'] });
  });
});
