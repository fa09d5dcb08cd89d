import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Node flags systemd/xenherd-agent.service starts the daemon with. Tests and the bench run
 * `xenherd-agent run` with exactly these, so what they check is what ships (the lab found an
 * agent that worked without them and crashed with them).
 */
export const UNIT_NODE_FLAGS: readonly string[] = (() => {
  // from the repo root (vitest and npm scripts run there): dev tools are bundled to a temp file,
  // so import.meta.url would not point into the repo
  const unit = readFileSync(join(process.cwd(), 'systemd/xenherd-agent.service'), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  return exec.split(/\s+/).filter((w) => w.startsWith('--'));
})();
