import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The real `xenherd-agent run`, as a package upgrade restarts it: a peer whose sshd is at port
// 2222 and whose known_hosts lists it bare with one key and as [address]:2222 with another. Agents
// before the ssh rule took either key; this one, as ssh, takes the port's. The start says so, so
// the operator hears of it then, not from a migration refused at night.

const FLEET = pairFleet({ running: 'no' });
const PORT_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIItAA7O3Z2VJBGSE47Eiv4KgLcLy1N5jJgYUKx0D96cG';
const BARE_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJ0bJpBy9n7I9QZn1mOJ3tT1Hq2v3C0aQm3nq6kq1b2';

const bed = agentTestBed();

async function startWith(knownHosts: string): Promise<AgentProcess> {
  const sim = await bed.startSim(FLEET);
  const etc = join(sim.hostRoot('xen1'), 'etc/xenherd');
  mkdirSync(etc, { recursive: true, mode: 0o700 });
  writeFileSync(join(etc, 'known_hosts'), knownHosts);
  const config = { ...FAST_TIMERS, migration: { peers: { xen2: { address: '10.0.0.2', port: 2222 } } } };
  const agent = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, config)));
  await agent.waitLog((l) => l.msg.startsWith('ready'));
  return agent;
}

describe('xenherd-agent run: a bare known_hosts key set aside at a peer\'s port', () => {
  it('is warned of at start, naming both lines and how to find out and mend it', async () => {
    const agent = await startWith(`# xen2\n[10.0.0.2]:2222 ${PORT_KEY}\nxen2 ${BARE_KEY}\n`);
    const warned = agent.logs.find((l) => l.msg.includes('does not count at port 2222'));
    expect(warned).toMatchObject({ level: 40, code: 'XH_ERR_FILE' });
    expect(warned?.msg).toMatch(/^xen2 \(10\.0\.0\.2:2222\): \S+\/etc\/xenherd\/known_hosts lists a key for it bare \(line 3\) that does not count at port 2222, as another is listed for that port \(line 2\)/);
    expect(warned?.msg).toContain('`xenherd-agent ping xen2` tells');
  });

  it('is not there when the bare key is the port\'s too, or no line lists the port', async () => {
    const same = await startWith(`[10.0.0.2]:2222 ${PORT_KEY}\nxen2 ${PORT_KEY}\n`);
    const bareOnly = await startWith(`xen2 ${BARE_KEY}\n`);
    for (const agent of [same, bareOnly]) expect(agent.logs.filter((l) => l.msg.includes('known_hosts')).map((l) => l.msg)).toEqual([]);
  });
});
