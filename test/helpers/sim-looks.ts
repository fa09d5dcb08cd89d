import type { Sim } from '../sim/sim.js';

/** `xl create` calls of DOMU on HOST so far, as the simulator logged them. */
export const creates = (sim: Sim, host: string, domu: string): number =>
  sim.commandLog.filter((c) => c.host === host && c.tool === 'xl' && c.argv[0] === 'create' && c.argv[1]?.endsWith(`/${domu}.cfg`)).length;

/** The simulated Dom0s DOMU runs on now (two during a live migration's handover). */
export const runsOn = (sim: Sim, domu: string): string[] => sim.state().domains.filter((d) => d.name === domu).map((d) => d.host);
