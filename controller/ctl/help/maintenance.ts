import type { CommandHelp } from '../../../shared/cli/program.js';

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
    'exit: 0 the flag is set; 1 refused (why is printed); 2 usage or configuration error; 87 controller',
    '      unreachable; 88 token refused',
    '',
  ].join('\n'),
};
