import type { CommandHelp } from '../../../shared/cli/program.js';
import { EXIT_HELP } from './drain.js';

export const MAINTENANCE_USAGE = 'maintenance HOST on|off [--json]';

export const maintenanceHelp: CommandHelp = {
  name: 'maintenance',
  summary: "Set HOST's maintenance flag on (only when nothing runs there) or off (back online).",
  usage: MAINTENANCE_USAGE,
  help: [
    "Sets HOST's maintenance flag, kept by its agent across restarts and reboots. `on` is refused while any",
    'domU runs there (`xenherdctl drain HOST` empties it and sets maintenance). `off` puts HOST back online',
    'whatever its state (a failed drain included) without moving anything (`restore HOST` also brings its',
    'domUs home); it is refused while a job of this controller works on HOST.',
    '',
    `usage: xenherdctl ${MAINTENANCE_USAGE}`,
    EXIT_HELP,
    '',
  ].join('\n'),
};
