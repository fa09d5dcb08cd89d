import { isFleetLine } from '../model/fleet-file.js';

/**
 * A scenario file: fleet lines (host/domu/drbd/option, see the fleet format) and commands, one
 * per line, '#' comments. Commands:
 *   power HOST on|off            drbd RES disconnect|connect|split-brain
 *   delay SECONDS                run HOST TOOL ARGS…   (auto-advances the clock until it ends)
 *   spawn ID HOST TOOL ARGS…     wait ID               (background tool; wait collects it)
 *   fault migrate DOMU before|target|handshake
 *   fault tool HOST TOOL hang | slow MS | garbage TEXT…
 *   expect domu NAME on HOST | expect domu NAME nowhere
 *   expect drbd RES HOST ROLE/PEER CSTATE      (8.4 words, e.g. Secondary/Unknown WFConnection)
 *   expect exit N                expect output TEXT…   (last run/wait)
 *   state                        (log the cluster summary)
 */
export interface Scenario {
  readonly fleet: string;
  readonly commands: readonly { readonly line: number; readonly words: readonly string[]; readonly text: string }[];
}

export function parseScenario(text: string): Scenario {
  const fleet: string[] = [];
  const commands: { line: number; words: string[]; text: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!t) return;
    if (isFleetLine(t)) fleet.push(t);
    else commands.push({ line: i + 1, words: t.split(/\s+/), text: t });
  });
  return { fleet: fleet.join('\n'), commands };
}
