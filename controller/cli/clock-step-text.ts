import { SLEW_PER_MS } from '../../shared/clock/steady-clock.js';

/** The log line of serve when the system clock stepped by DIFFERENCE ms (system minus the controller's own time). */
export function clockStepText(difference: number): string {
  const seconds = Math.abs(difference) / 1000;
  const catchUpHours = seconds / SLEW_PER_MS / 3600;
  const catchUp = catchUpHours < 1 ? `${Math.ceil(catchUpHours * 60)} min` : `${catchUpHours.toFixed(1)} h`;
  return (
    `the system clock stepped ${difference > 0 ? 'forward' : 'back'} by ${seconds.toFixed(1)} s: agent silences, answer ages and alert times go on ` +
    `being measured on the controller's own steady time, which meets the system clock again within ${catchUp} (${SLEW_PER_MS * 100} % of the time); ` +
    'until then the times it shows differ from the system clock by up to that step; restarting xenherd-controller takes the system time at once'
  );
}
