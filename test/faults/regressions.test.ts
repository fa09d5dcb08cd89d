import { describe } from 'vitest';
import { seedTests } from './seed-suite.js';

// Seeds that once found a violation, kept with the run length that found it:
//   1   a simulated clock's fractional milliseconds reached the agent link's integer `at`: every
//       agent was refused after a controller restart (the clock now hands out whole ms)
//   2   a migration home whose last step could not tell the home left its away record: after a
//       reboot the home skipped the domU as "migrated away" (the agent now ends an away record
//       whose domU runs at home again); a restore refused while a crashed controller's lease ran
//   29, 37  a final handshake lost: ALARM, both halves kept, never a guess (left for a person)
describe('fault runs that once failed (25 steps)', () => seedTests([1, 2, 29, 37], { steps: 25 }));
//   114 a restore counted a domU leaving its home mid-migration as home (restore now waits for it)
describe('fault runs that once failed (12 steps)', () => seedTests([114], { steps: 12 }));
//   1188 a lost handshake whose ALARM reached no controller (it restarted): the agent's log has it
describe('fault runs that once failed (10 steps)', () => seedTests([1188], { steps: 10 }));
