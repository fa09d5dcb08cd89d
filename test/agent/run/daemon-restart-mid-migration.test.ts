import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import { peerSsh, type PeerSsh } from '../../playground/peer-ssh-setup.js';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, liveProcessesMentioning, runAsync } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { pauseOf, until } from '../../helpers/until.js';
import { LoopbackController } from './loopback-controller.js';

// The walk that found it: a controller's `migrate web1 xen2` runs in the daemon's CLI child, and
// the daemon is restarted (SIGTERM: systemctl restart, a package upgrade) or killed (SIGKILL)
// mid-copy. Under the unit's KillMode=process only the daemon gets the signal; its child, its
// pipes gone with the daemon, must finish the migration and record it on both Dom0s, so the next
// agent finds an ordinary ledger. Real processes: the daemon, its child, one sshd per Dom0.
const FLEET = pairFleet({ bandwidth: 512 });
const HOSTS = ['xen1', 'xen2'];

const bed = agentTestBed();
let dir = '';
let ctl: LoopbackController | null = null;
let ssh: PeerSsh | null = null;
let operation = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xh-restart-mid-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  // the daemon's child, should it still run: it is this test's, found by its operation id
  for (const line of operation ? liveProcessesMentioning(operation) : []) process.kill(Number(line.split(':')[0]), 'SIGKILL');
  await until(() => operation === '' || liveProcessesMentioning(operation).length === 0, 'the migration child gone', { limitMs: 10_000, step: pauseOf(50) });
  operation = '';
  await ctl?.close();
  ctl = null;
  await ssh?.stop();
  ssh = null;
});

describe('the daemon restarted or killed while its child migrates a domU', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal}: the child finishes the migration, xen1 records web1 away and xen2 its visitor; the next agent reads no ALARM`, async () => {
      const sim: Sim = await bed.startSim(FLEET);
      const c = new LoopbackController();
      ctl = c;
      await new Promise<void>((r) => c.server.once('listening', () => r()));
      ssh = await peerSsh(sim, bed.agentPath(), join(dir, signal), HOSTS);
      const configs: Record<string, string> = {};
      for (const h of HOSTS) {
        const etc = join(sim.hostRoot(h), 'etc/xenherd');
        mkdirSync(etc, { recursive: true, mode: 0o700 });
        configs[h] = join(etc, 'agent.json');
        const link = h === 'xen1' ? { controller: { url: c.url(), token: 'xh1.000000000000.testtokentesttokentesttoken' } } : {};
        writeFileSync(configs[h], JSON.stringify({ ...FAST_TIMERS, ...link, migration: { peers: ssh.peersOf(h) } }));
      }
      const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', configs['xen1']!));
      await until(() => c.frames.some((f) => f.type === 'snapshot'), 'the daemon linked to the controller', { limitMs: 20_000, step: pauseOf(50) });

      operation = `op-restart-${signal}`;
      c.send({ type: 'command', commandId: 'cmd-1', op: 'migrate', name: 'web1', target: 'xen2', reason: 'manual', operationId: operation, by: 'ctl:admin' });
      await until(
        () => {
          const early = c.frames.find((f) => f.type === 'result');
          if (early) throw new Error(`the migrate ended before the restart: ${JSON.stringify(early)}`);
          return c.frames.some((f) => f.type === 'progress' && f.line.startsWith('migrating web1 from xen1 to xen2')) && sim.state().domains.some((d) => d.name === 'web1--incoming');
        },
        'the copy of web1 running',
        { limitMs: 30_000, step: pauseOf(20) },
      );
      const ledger = (host: string): Ledger => {
        const r = ledgerStore(join(sim.hostRoot(host), 'var/lib/xenherd'), host).read();
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      };
      expect(Object.keys(ledger('xen1').inflight)).toEqual(['web1']);

      agent.child.kill(signal);
      const ended = await agent.exited;
      if (signal === 'SIGTERM') {
        expect(ended.code).toBe(0);
        expect(agent.logs.some((l) => l.commandId === 'cmd-1' && l.msg.includes('carries on without this agent'))).toBe(true);
      }
      // the child outlives the daemon and ends on its own, once the move is recorded
      await until(() => liveProcessesMentioning(operation).length === 0, 'the migration child ended', { limitMs: 60_000, step: pauseOf(50) });
      expect(sim.state().domains.filter((d) => d.name.startsWith('web1')).map((d) => `${d.name}@${d.host}`)).toEqual(['web1@xen2']);
      const home = ledger('xen1');
      expect([home.inflight, home.unsettled]).toEqual([{}, {}]);
      expect(home.away['web1']).toMatchObject({ home: 'xen1', currentHost: 'xen2', operationId: operation, reason: 'manual' });
      expect(ledger('xen2').visitors['web1']).toMatchObject({ home: 'xen1' });

      // the restarted agent: a normal ledger, nothing unsettled
      const again = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', configs['xen1']!));
      await until(() => c.frames.filter((f) => f.type === 'snapshot').length >= 2, 'the restarted daemon linked', { limitMs: 20_000, step: pauseOf(50) });
      const st = await runAsync(process.execPath, [bed.agentPath(), 'status', 'ALL'], sim.env('xen1'));
      expect(st.code, st.stdout + st.stderr).toBe(0);
      expect(again.logs.filter((l) => /ALARM|unsettled|interrupted/.test(l.msg)).map((l) => l.msg)).toEqual([]);
      // every frame the daemon sent, before and after its restart, fits the link's schema
      expect(c.garbage).toEqual([]);
    }, 120_000);
  }
});
