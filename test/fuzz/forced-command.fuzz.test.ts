import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate2Gate, refusalLines } from '../../agent/cli/migrate2-gate.js';
import { serveForcedCommand } from '../../agent/migrate/forced-command.js';
import { MAX_COMMAND_LENGTH } from '../../agent/parse/migrate2-command.js';
import { DOMU_NAME_RE } from '../../shared/names.js';
import { PeerLineSchema, PeerResultSchema, type PeerLine } from '../../shared/protocol/peer.js';
import { simMigrationPorts } from '../harness/migration-on-sim.js';
import { startSim, type Sim } from '../sim/sim.js';
import { count, mutatedText, reportCounts, runs } from './fuzz-kit.js';
import { pairFleet } from '../harness/pair-fleet.js';

// SSH_ORIGINAL_COMMAND of the forced command `xenherd-agent migrate2 --peer HOME`: whatever a
// peer (or someone holding its key) sends, the gate either accepts a request of the grammar
// (ping | status NAME | migrate2 NAME [--live]) or rejects it with XH_ERR_COMMAND_REJECTED (the
// forced command line itself: XH_ERR_USAGE), and the rejection is a peer-protocol line. What the
// gate accepts then runs on a simulated Dom0 and answers only peer-protocol lines.

reportCounts('forced-command');

const VALID = ['ping', 'status web1', 'migrate2 web1', 'migrate2 web1 --live', 'status db-2.example_x', 'migrate2 A --live'];
const SHELLISH = [';', '&&', '|', '`', '$(', '>', '<', '\n', '\r', '\t', '\u0000', '\\', "'", '"', '*', '?', '~', '{', '}', '--', ' -', '  ', '\u00a0', '\u202e', '\ud83d\ude00'];

const command: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(...VALID).chain(mutatedText),
  fc.tuple(fc.constantFrom(...VALID), fc.constantFrom(...SHELLISH), fc.constantFrom('reboot', 'rm -rf /', 'id', 'web1', '')).map(([v, s, tail]) => `${v}${s}${tail}`),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(undefined, '', ' ', 'x'.repeat(MAX_COMMAND_LENGTH + 1), `status ${'a'.repeat(64)}`, `status ${'a'.repeat(65)}`, 'status -rf', 'status .', 'status ..', 'migrate2 web1 --live --live', 'PING', 'ping '),
);

const argvs: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>(['--peer', 'xen1']),
  fc.array(fc.oneof(fc.constantFrom('--peer', '--config', '--peer=xen1', 'xen1', '-x', '--', '--help'), fc.string({ maxLength: 20 })), { maxLength: 5 }),
);

describe('the forced command: the grammar or a refusal, nothing else', () => {
  it('the gate: accepted requests are in the grammar; every refusal is a typed peer-protocol line', () => {
    fc.assert(
      fc.property(argvs, command, (argv, raw) => {
        count('SSH_ORIGINAL_COMMAND + argv');
        const g = migrate2Gate(argv, { SSH_ORIGINAL_COMMAND: raw });
        if (g.ok) {
          expect(raw).toBeDefined();
          const r = g.value.request;
          expect(['ping', 'status', 'migrate2']).toContain(r.op);
          if (r.op !== 'ping') expect(r.name).toMatch(DOMU_NAME_RE);
          expect((raw ?? '').length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
          expect(raw).toMatch(/^[\x20-\x7e]*$/);
          return;
        }
        expect(['XH_ERR_COMMAND_REJECTED', 'XH_ERR_USAGE']).toContain(g.error.code);
        const lines = refusalLines(g.error);
        expect(lines.stdout.endsWith('\n') && lines.stdout.split('\n').length).toBe(2);
        expect(PeerResultSchema.parse(JSON.parse(lines.stdout))).toMatchObject({ ok: false, code: g.error.code });
        // what a log or terminal shows of the request is escaped: no control character gets through
        expect(lines.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f]/);
      }),
      runs(3000),
    );
  });

  describe('accepted requests on a simulated Dom0: only peer-protocol lines come back', () => {
    let sim: Sim;
    beforeAll(async () => {
      sim = await startSim({
        fleet: pairFleet({ optionLine: false, memMiB: 1024, vcpus: 1, more: 'domu db1 mem=1024 vcpus=1 home=xen2 peer=xen1 drbd=r2 running=xen2\n' }),
        clock: 'deterministic',
      });
    });
    afterAll(() => sim.stop());

    it('status and migrate2 of any name from any peer', async () => {
      const name = fc.oneof(fc.constantFrom('web1', 'db1', 'nope', 'Domain-0', 'web1--incoming'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/));
      const request = fc.oneof(
        name.map((n) => `status ${n}`),
        fc.constant('ping'),
        fc.tuple(name, fc.boolean()).map(([n, live]) => `migrate2 ${n}${live ? ' --live' : ''}`),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('xen1', 'xen2', 'xen9', 'intruder'), fc.constantFrom('xen1', 'xen2'), request, async (peer, host, raw) => {
          const g = migrate2Gate(['--peer', peer], { SSH_ORIGINAL_COMMAND: raw });
          if (!g.ok) return;
          count('forced command on the sim');
          const lines: PeerLine[] = [];
          const run = serveForcedCommand(simMigrationPorts({ sim }, host), g.value.peer, g.value.request, (l) => lines.push(l));
          let exit: number | null = null;
          void run.then((c) => (exit = c));
          for (let i = 0; i < 600 && exit === null; i++) await sim.advance(1_000);
          expect(exit, `${raw} from ${peer} on ${host} ended`).not.toBeNull();
          expect(lines.length).toBeGreaterThan(0);
          for (const l of lines) PeerLineSchema.parse(l);
          const last = lines.at(-1) as PeerLine;
          if (exit !== 0) expect(last).toMatchObject({ t: 'result', ok: false });
        }),
        runs(60),
      );
    });
  });
});
