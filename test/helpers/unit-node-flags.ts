import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Node flags systemd/UNIT starts its program with (the words between node and the program in
 * its ExecStart; none when it runs the program itself). Tests and
 * the bench run `xenherd-agent run` and `xenherd-controller serve` with exactly these, so what
 * they check is what ships (the lab found an agent that worked without them and crashed with them).
 */
function unitNodeFlags(unit: string): readonly string[] {
  // from the repo root (vitest and npm scripts run there): dev tools are bundled to a temp file,
  // so import.meta.url would not point into the repo
  const text = readFileSync(join(process.cwd(), 'systemd', unit), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(text)?.[1] ?? '';
  const [command, ...rest] = exec.split(/\s+/);
  if (command !== '/usr/bin/node') return [];
  const program = rest.findIndex((w) => !w.startsWith('--'));
  return program < 0 ? rest : rest.slice(0, program);
}

/** xenherd-agent.service's */
export const UNIT_NODE_FLAGS: readonly string[] = unitNodeFlags('xenherd-agent.service');
/** xenherd-controller.service's */
export const CONTROLLER_UNIT_NODE_FLAGS: readonly string[] = unitNodeFlags('xenherd-controller.service');
