import { afterEach, describe, expect, it } from 'vitest';
import type { PlanDone } from '../../../agent/migrate/plan-executor.js';
import type { MigrationPorts } from '../../../agent/migrate/ports.js';
import type { XhError } from '../../../shared/errors.js';
import { peerRefusal } from '../../../shared/protocol/peer.js';
import { ok, type Result } from '../../../shared/result.js';
import type { Fleet } from '../../harness/fleet.js';
import { awayOnXen2, runMove } from '../../harness/migration-bed.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// `xenherd-agent reverse web1` by hand on its home, no controller: the preflight asks the Dom0
// running web1 `status web1 --tools`, as migrate asks its target, and refuses a live move home to
// the other toolstack or an older Xen release in the controller's words, before anything is sent
// (the peer's tools refused it only after the hold, midway through its migrate2).
let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function reverseWeb1(f: Fleet, p: MigrationPorts = simMigrationPorts({ sim: f.sim }, 'xen1')): Promise<Result<PlanDone, XhError>> {
  return (await runMove(f, p, { kind: 'reverse' })).result;
}

const sent = (f: Fleet) => f.sim.commandLog.filter((c) => c.argv[0] === 'migrate');
const web1On = (f: Fleet) => f.sim.state().domains.filter((d) => d.name === 'web1').map((d) => d.host);

describe("the agent's reverse checks the peer's tools before it asks for the move", () => {
  it('home on an older Xen release: refused (77) naming both releases, nothing sent', async () => {
    fleet = await awayOnXen2('toolstack=xl xen=4.11.4', 'toolstack=xl xen=4.17.5');
    const r = await reverseWeb1(fleet);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED' } });
    if (r.ok) return;
    expect(r.error.message).toBe(
      'preflight: web1 runs on xen2 (Xen 4.17.5) and xen1 runs Xen 4.11.4, an older release: a live migration goes to the same Xen release or a newer one (the older release\'s tools refuse the newer stream; xl says "Savefile has mandatory flag(s) … need newer xl" and the domU stays on xen2); nothing was moved',
    );
    expect(sent(fleet)).toEqual([]);
    expect(web1On(fleet)).toEqual(['xen2']);
  });

  it('home on the other toolstack: refused (77) naming both, nothing sent', async () => {
    fleet = await awayOnXen2('toolstack=xl xen=4.17.5', 'toolstack=xm xen=4.1.4');
    const r = await reverseWeb1(fleet);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('preflight: web1 runs on xen2 (xm) and xen1 runs xl: a live migration stays within one toolstack') } });
    expect(sent(fleet)).toEqual([]);
    expect(web1On(fleet)).toEqual(['xen2']);
  });

  it('home on a newer release: web1 comes home', async () => {
    fleet = await awayOnXen2('toolstack=xl xen=4.18.0', 'toolstack=xl xen=4.17.5');
    expect(await reverseWeb1(fleet)).toMatchObject({ ok: true });
    expect(web1On(fleet)).toEqual(['xen1']);
  });

  it('a peer older than --tools is asked again without it, and the reverse goes on', async () => {
    fleet = await awayOnXen2('toolstack=xl xen=4.17.5', 'toolstack=xl xen=4.17.5');
    const p = simMigrationPorts({ sim: fleet.sim }, 'xen1');
    const asked: string[] = [];
    const ask: MigrationPorts['peer']['ask'] = async (peer, command, onLine) => {
      asked.push(command);
      // an agent before the word: its strict grammar rejects it, nothing run
      if (command.endsWith(' --tools')) return ok({ exitCode: 64, lines: [peerRefusal('XH_ERR_COMMAND_REJECTED', `rejected: "${command}"`)], stderr: '' });
      return p.peer.ask(peer, command, onLine);
    };
    expect(await reverseWeb1(fleet, { ...p, peer: { ...p.peer, ask } })).toMatchObject({ ok: true });
    expect(asked.slice(0, 3)).toEqual(['status web1 --tools', 'status web1', 'migrate2 web1']);
    expect(web1On(fleet)).toEqual(['xen1']);
  });
});
