import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import type { Fleet } from '../harness/fleet.js';

/** Starts the agents of xen1 and xen2 on F, and waits until the controller hears both. */
export async function agentsReporting(f: Fleet): Promise<Fleet> {
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  const core = f.controller!.core;
  await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
  return f;
}

/** agentsReporting, and a little more: the controller's view past its first reports. */
export async function bothReporting(f: Fleet): Promise<Fleet> {
  await agentsReporting(f);
  await f.advance(10_000);
  return f;
}

/** HOST's agent's answer on its control socket, time moving meanwhile (a forced start answers once `xl create` ended). */
export async function controlAnswer(f: Fleet, host: string, req: Parameters<ReturnType<Fleet['agent']>['control']>[0]): Promise<ControlResponse> {
  let answer: ControlResponse | null = null;
  void f.agent(host).control(req).then((r) => (answer = r));
  await f.until(() => answer !== null, `answer to ${req.op}`, 120_000);
  return answer as unknown as ControlResponse;
}
