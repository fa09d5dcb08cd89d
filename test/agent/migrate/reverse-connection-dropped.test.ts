import { afterEach, describe, expect, it } from 'vitest';
import { askPeerWhere, reverseVerdict } from '../../../agent/decide/reverse-verdict.js';
import type { PlanDone } from '../../../agent/migrate/plan-executor.js';
import type { MigrationPorts, PeerAnswer } from '../../../agent/migrate/ports.js';
import type { XhError } from '../../../shared/errors.js';
import { ok, type Result } from '../../../shared/result.js';
import type { Fleet } from '../../harness/fleet.js';
import { ledgerFile } from '../../harness/ledger-file.js';
import { awayOnXen2, runMove } from '../../harness/migration-bed.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';

// `xenherd-agent reverse web1` on its home whose ssh connection to xen2 drops while xen2's
// migrate2 runs: what the ssh adapter answers then (no exit status, the lines before the drop,
// `dropped` in words: agent/adapters/peer-ssh.ts) is played here, and the reverse must ask xen2
// where web1 is, as it does after its other unclear endings, and say what it found.
let fleet: Fleet;
afterEach(async () => fleet?.stop());

const DROPPED = "the connection to xen2 dropped while `migrate2 web1` ran there (connection closed): it may have ended there or still run";

/**
 * xen1's ports, its connection for `migrate2` dropping: RUNS says whether xen2's forced command
 * ran to its end (its result line lost with the connection) or stopped before moving anything.
 */
function dropping(f: Fleet, runs: boolean): { ports: MigrationPorts; asked: string[] } {
  const p = simMigrationPorts({ sim: f.sim }, 'xen1');
  const asked: string[] = [];
  const ask: MigrationPorts['peer']['ask'] = async (peer, command, onLine) => {
    asked.push(command);
    if (!command.startsWith('migrate2 ')) return p.peer.ask(peer, command, onLine);
    const whole = runs ? await p.peer.ask(peer, command, onLine) : ok<PeerAnswer>({ exitCode: 0, lines: [], stderr: '' });
    if (!whole.ok) return whole;
    const before = whole.value.lines.filter((l) => l.t !== 'result');
    return ok<PeerAnswer>({ exitCode: null, lines: before, stderr: '', dropped: DROPPED });
  };
  return { ports: { ...p, peer: { ...p.peer, ask } }, asked };
}

async function reverseWeb1(f: Fleet, p: MigrationPorts): Promise<Result<PlanDone, XhError>> {
  return (await runMove(f, p, { kind: 'reverse' })).result;
}

const web1On = (f: Fleet) => f.sim.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.host}:${d.name}`);

describe('a reverse whose ssh connection dropped mid-migrate2 asks where the domU is', () => {
  it('xen2 stopped before moving it: "still runs on xen2", the status command to run, kept as unsettled (83)', async () => {
    fleet = await awayOnXen2();
    const { ports, asked } = dropping(fleet, false);
    const r = await reverseWeb1(fleet, ports);
    expect(asked.filter((c) => c.startsWith('migrate2') || c === 'status web1')).toEqual(['migrate2 web1', 'status web1']);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'XH_ERR_MIGRATION_UNKNOWN',
        message: `xen2's migrate2 ended without an exit status (${DROPPED}): web1 still runs on xen2, not on xen1; its migrate2 may still be running there, so the ledger is unchanged: run \`xenherd-agent status web1\` on xen2 until it shows web1 running there with no migration, then the reverse again; xen1's ledger keeps it as unsettled until \`xenherd-agent reconcile web1\` on xen1`,
      },
    });
    expect(web1On(fleet)).toEqual(['xen2:web1']);
    expect(ledgerFile(fleet.sim, 'xen1').away['web1']).toMatchObject({ currentHost: 'xen2' });
    expect(ledgerFile(fleet.sim, 'xen1').unsettled['web1']).toMatchObject({ peer: 'xen2', operation: 'reverse' });
  });

  it('xen2 moved it home before the drop: web1 runs here and no longer there, recorded as back with a warning', async () => {
    fleet = await awayOnXen2();
    const { ports, asked } = dropping(fleet, true);
    const r = await reverseWeb1(fleet, ports);
    expect(r).toMatchObject({ ok: true, value: { message: 'web1 is back on xen1; ledger updated', warnings: [`xen2's migrate2 ended badly (${DROPPED}), but web1 runs here and no longer there`] } });
    expect(asked).toContain('status web1');
    expect(web1On(fleet)).toEqual(['xen1:web1']);
    expect(ledgerFile(fleet.sim, 'xen1').away).toEqual({});
    expect(ledgerFile(fleet.sim, 'xen1').unsettled?.['web1']).toBeUndefined();
  });

  it('the verdict for each answer of the where-check: both, none, and xen2 not answering, each with what to run', () => {
    const facts = { name: 'web1', host: 'xen1', peer: 'xen2', exitCode: null, result: null, stderr: '', dropped: DROPPED };
    expect(reverseVerdict({ ...facts, here: true, there: true })).toEqual({
      kind: 'failed',
      error: {
        code: 'XH_ERR_MIGRATION_UNKNOWN',
        message: `ALARM: web1 runs on xen1 but xen2's migrate2 ended badly (${DROPPED}) and xen2 still lists it; the ledger is unchanged: its migrate2 may still be running there; run \`xenherd-agent status web1\` here and on xen2 until one host alone lists it`,
      },
    });
    expect(reverseVerdict({ ...facts, here: false, there: false })).toEqual({
      kind: 'failed',
      error: {
        code: 'XH_ERR_MIGRATION_UNKNOWN',
        message: `ALARM: xen2's migrate2 ended without an exit status (${DROPPED}): web1 runs on neither xen1 nor xen2 (both lists read); the ledger is unchanged: check \`xl list\` and the DRBD roles of web1 on both hosts, and start it where its disk is, once, with \`xenherd-agent autostart start --force web1\` (a guarded domU; else \`xl create\` it, then \`xenherd-agent reconcile web1\`)`,
      },
    });
    expect(reverseVerdict({ ...facts, here: false, there: null })).toEqual({
      kind: 'failed',
      error: { code: 'XH_ERR_MIGRATION_UNKNOWN', message: `xen2's migrate2 ended without an exit status (${DROPPED}): web1 is not here and xen2 cannot be asked where it is; the ledger is unchanged: run \`xenherd-agent status web1\` on xen2 once it answers` },
    });
  });

  it('whom the where-check asks: the peer whenever its migrate2 had no exit status, else only when the domU is here and it failed', () => {
    const table: [boolean | null, number | null, boolean][] = [
      [true, null, true], [false, null, true], [null, null, false],
      [true, 1, true], [false, 1, false], [null, 1, false],
      [true, 0, false], [false, 0, false], [null, 0, false],
    ];
    for (const [here, exitCode, asked] of table) expect(askPeerWhere(here, exitCode), `here ${String(here)}, exit ${String(exitCode)}`).toBe(asked);
  });
});
