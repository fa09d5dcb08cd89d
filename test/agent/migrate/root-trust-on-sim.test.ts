import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgeRootSshTrust } from '../../../agent/decide/root-ssh-trust.js';
import { readRoute } from '../../../agent/migrate/route-read.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { runMove } from '../../harness/migration-bed.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simHostKeyText } from '../../sim/model/host-keys.js';

// `xl migrate` runs root's ssh, which checks the peer's host key in root's known_hosts files as
// the simulator's `ssh -G` names them: the simulator keeps one per Dom0 listing every peer's key,
// so an in-process migration runs the preflight's check of it and passes; a key changed there
// (the peer re-keyed, root's file not updated) is refused before anything moves.

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const where = (f: Fleet): string[] => f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host);
const rootKnownHosts = (f: Fleet, host: string): string => join(f.sim.hostRoot(host), 'root/.ssh/known_hosts');

describe("root's ssh trust of the peer's host key, in process on the simulator", () => {
  it("the simulator's known_hosts lists xen2's key: the check runs, says so, and the move goes ahead", async () => {
    fleet = await startFleet(pairFleet());
    // the route the preflight reads carries root's trust facts, judged as passing
    const route = await readRoute(simMigrationPorts({ sim: fleet.sim }, 'xen1'), 'xen2');
    expect(route.trust && judgeRootSshTrust(route.trust)).toEqual({
      ok: true,
      detail: "root's ssh (xl migrate's) looks xen2's host key up as xen2 in /root/.ssh/known_hosts, /root/.ssh/known_hosts2, /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2, and knows it (/root/.ssh/known_hosts:1)",
    });
    const done = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-2' });
    expect(done.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(where(fleet)).toEqual(['xen2']);
  });

  it("xen2's key changed in root's known_hosts on xen1: the migration is refused with the preflight's words, nothing moved", async () => {
    fleet = await startFleet(pairFleet());
    const file = rootKnownHosts(fleet, 'xen1');
    expect(readFileSync(file, 'utf8')).toBe(`xen2,192.0.2.2 ${simHostKeyText('xen2')}\n`);
    // the key another machine would show: xen2 as root's ssh knew it before a reinstall
    writeFileSync(file, `xen2,192.0.2.2 ${simHostKeyText('xen2-before-reinstall')}\n`);
    const m = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-1' });
    expect(m.result).toEqual({
      ok: false,
      error: {
        code: 'XH_ERR_REFUSED',
        message: expect.stringContaining(
          "preflight: root's ssh (xl migrate's) looks xen2's host key up as xen2 in /root/.ssh/known_hosts, /root/.ssh/known_hosts2, /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2, and the key listed at /root/.ssh/known_hosts:1 is not the one xen2 shows (/etc/xenherd/known_hosts lists another): ssh would refuse it as REMOTE HOST IDENTIFICATION HAS CHANGED; fix: if xen2's key was replaced, `ssh-keygen -R 'xen2' -f /root/.ssh/known_hosts`",
        ),
      },
    });
    expect(m.progress.some((l) => l.startsWith('migrating '))).toBe(false);
    expect(where(fleet)).toEqual(['xen1']);
  });

  it("RevokedHostKeys in root's ssh_config listing xen2's key: refused, naming the file and line", async () => {
    fleet = await startFleet(pairFleet());
    const root = fleet.sim.hostRoot('xen1');
    writeFileSync(join(root, 'root/.ssh/revoked_keys'), `# keys of machines sold\n${simHostKeyText('xen2')} xen2 before\n`);
    // OpenSSH 9.2 expands no ~ in RevokedHostKeys: it opens ./~/.ssh/revoked_keys, wherever it runs
    writeFileSync(join(root, 'root/.ssh/config'), 'Host *\n  RevokedHostKeys ~/.ssh/revoked_keys\n');
    const tilde = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-0' });
    expect(tilde.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('but first RevokedHostKeys ~/.ssh/revoked_keys is not a whole path (OpenSSH 9.2 expands nothing in RevokedHostKeys') } });
    writeFileSync(join(root, 'root/.ssh/config'), 'Host *\n  RevokedHostKeys "/root/.ssh/revoked_keys"\n');
    const m = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-1' });
    expect(m.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('but first the key xen2 shows is listed in RevokedHostKeys /root/.ssh/revoked_keys line 2: ssh refuses it ("revoked by file")') } });
    // a file of other keys revokes nothing of xen2's
    writeFileSync(join(root, 'root/.ssh/revoked_keys'), `${simHostKeyText('xen9')}\n`);
    const again = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-2' });
    expect(again.result).toMatchObject({ ok: true });
    expect(where(fleet)).toEqual(['xen2']);
  });

  it("CheckHostIP yes and another key under xen2's address in root's known_hosts: refused, naming the address's line", async () => {
    fleet = await startFleet(pairFleet());
    const root = fleet.sim.hostRoot('xen1');
    writeFileSync(join(root, 'root/.ssh/config'), 'Host xen2\n  CheckHostIP yes\n');
    writeFileSync(rootKnownHosts(fleet, 'xen1'), `xen2 ${simHostKeyText('xen2')}\n`);
    appendFileSync(rootKnownHosts(fleet, 'xen1'), `192.0.2.2 ${simHostKeyText('xen3')}\n`);
    const m = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-1' });
    expect(m.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining("but 192.0.2.2's own line (/root/.ssh/known_hosts:2, CheckHostIP yes) lists another ssh-ed25519 key than xen2 shows: ssh refuses it") } });
    expect(where(fleet)).toEqual(['xen1']);
  });

  it("CheckHostIP yes: only the address ssh connects to is checked, not another address of the name that does not answer", async () => {
    fleet = await startFleet(pairFleet());
    const root = fleet.sim.hostRoot('xen1');
    writeFileSync(join(root, 'root/.ssh/config'), 'Host xen2\n  CheckHostIP yes\n');
    // xen2 has an old address first, where nothing answers now; ssh goes on to 192.0.2.2
    appendFileSync(join(root, 'etc/hosts'), '198.51.100.7 xen2\n192.0.2.2 xen2\n');
    writeFileSync(rootKnownHosts(fleet, 'xen1'), `xen2 ${simHostKeyText('xen2')}\n198.51.100.7 ${simHostKeyText('xen3')}\n`);
    const m = await runMove(fleet, simMigrationPorts({ sim: fleet.sim }, 'xen1'), { kind: 'migrate', operationId: 'op-1' });
    expect(m.result).toMatchObject({ ok: true });
    expect(where(fleet)).toEqual(['xen2']);
  });
});
