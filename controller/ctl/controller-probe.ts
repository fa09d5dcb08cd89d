import type { Clock } from '../../shared/clock/clock.js';
import { HostsAnswerSchema } from '../../shared/protocol/ctl-hosts.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { Chosen, CtlError } from './client.js';
import type { CtlConfig } from './config.js';
import { chooseController, type Probe } from './controller-choice.js';
import { askingAlone, controllerLabel } from './controller-set.js';

// The controllers are asked one after another, not at once: with a healthy primary the standby is
// not asked at all (README promises so), and a hung primary costs PROBE_TIMEOUT_MS once. Nor is the
// controller that answered last remembered between commands: a per-user record would send
// commands to a standby after the agents went back to the primary, and the bound caps the cost.

/** What asking one controller for its Dom0s gave, as controller-choice.ts reads it. */
async function probe(c: CtlConfig, url: URL, clock: Clock): Promise<Probe> {
  const client = askingAlone(c, url, clock);
  const r = await client.get('/hosts', HostsAnswerSchema);
  if (r.ok) return { kind: 'fleet', hosts: r.value.hosts };
  // a certificate refused is no controller down: its fix is the CA file or a renewal, and the next
  // controller, a copy with the same certificate, would be refused alike or hide it
  const down = r.error.code === 'XH_ERR_CONTROLLER_UNREACHABLE' && !client.certificateRefused;
  return { kind: down ? 'unreachable' : 'refused', error: r.error };
}

/**
 * The controller of C's url and standbyUrls that xenherdctl asks (controller-choice.ts), each
 * asked for its Dom0s in turn until the choice is made; NEEDED: the hosts an operating command
 * names.
 */
export async function chooseAmong(c: CtlConfig, clock: Clock, needed: readonly string[]): Promise<Result<Chosen, CtlError>> {
  const urls = [c.url, ...(c.standbyUrls ?? [])];
  const labels = urls.map(controllerLabel);
  const probes: Probe[] = [];
  for (;;) {
    const choice = chooseController(labels, probes, needed);
    if (choice.kind === 'fail') return err(choice.error);
    if (choice.kind === 'use') return ok({ url: urls[choice.index] as URL, note: choice.note });
    probes.push(await probe(c, urls[probes.length] as URL, clock));
  }
}
