import pino from 'pino';
import { ControllerCore } from '../../../controller/core/controller-core.js';
import { AGENT_LINK_PROTOCOL_VERSION } from '../../../shared/protocol/agent-link.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { floodClock } from '../../fuzz/flood-clock.js';
import { handLink, type HandLink } from '../../fuzz/hand-link.js';

export interface Report {
  readonly host: string;
  readonly state: HostState;
}

/**
 * Every answer a controller core gives (where, hosts, domains, status with its alerts, drbd) once
 * it took REPORTS in order (each host's first as its snapshot, the rest as deltas of every
 * section), all at one moment. What the fleet view holds may be shared with what a host or its
 * partner reported before (held-configs.ts, held-drbd.ts); what it answers must not depend on
 * that: after a history it is what the last reports alone give (`lastReports`).
 */
export function answersAfter(reports: readonly Report[]): string {
  const clock = floodClock(1_000_000);
  const core = new ControllerCore({ clock, log: pino({ level: 'info' }, { write: () => undefined }), newId: () => 'id' });
  const links = new Map<string, HandLink>();
  let seq = 0;
  for (const { host, state } of reports) {
    let h = links.get(host);
    // a new parse of each report, as off the wire: nothing shared with the states the test holds
    const wire = JSON.parse(JSON.stringify(state)) as unknown;
    if (h === undefined) {
      h = handLink(`memory:${host}`);
      links.set(host, h);
      core.acceptAgent(h.link, { host });
      h.deliver(JSON.stringify({ type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host, bootId: `boot-${host}`, agentVersion: '0.1.0', capabilities: ['migrate'] }));
      h.deliver(JSON.stringify({ type: 'snapshot', seq: ++seq, at: clock.now(), state: wire }));
    } else h.deliver(JSON.stringify({ type: 'delta', seq: ++seq, at: clock.now(), state: wire }));
    if (h.closed !== null) throw new Error(`${host}'s link closed: ${h.closed.reason}`);
  }
  const answers = { where: core.where('*'), hosts: core.hosts(), domains: core.domains(null), status: core.status(), drbd: core.drbd(null) };
  void core.close();
  return JSON.stringify(answers);
}

/** Each host's last report of REPORTS, the hosts in the order they first reported. */
export function lastReports(reports: readonly Report[]): Report[] {
  // a host reporting again keeps its place in a Map
  const last = new Map<string, Report>();
  for (const r of reports) last.set(r.host, r);
  return [...last.values()];
}
