import { describe } from 'vitest';
import { seedTests } from './seed-suite.js';

// Seeds that once found a violation, kept with the run length that found it:
//   1   a simulated clock's fractional milliseconds reached the agent link's integer `at`: every
//       agent was refused after a controller restart (the clock now hands out whole ms)
//   2   a migration home whose last step could not tell the home left its away record: after a
//       reboot the home skipped the domU as "migrated away" (the agent now ends an away record
//       whose domU runs at home again); a restore refused while a crashed controller's lease ran
//   29, 37  a final handshake lost: ALARM, both halves kept, never a guess (left for a person)
//   301674  an ALARM, then its domU lost with the host it ran on unrecorded: nothing kept the ALARM,
//       so the domU looked shut down at home (the ledger now keeps it as unsettled until reconcile)
describe('fault runs that once failed (25 steps)', () => seedTests([1, 2, 29, 37, 301674], { steps: 25 }));
//   114 a restore counted a domU leaving its home mid-migration as home (restore now waits for it)
describe('fault runs that once failed (12 steps)', () => seedTests([114], { steps: 12 }));
//   1188 a lost handshake whose ALARM reached no controller (it restarted): the agent's log has it
//   100095, 100157, 100227, 100301, 100380, 100866  a domU recorded away running nowhere (its away host lost
//       power, a cold move's start never came): nobody started it (restore now starts it at home when
//       a fresh view proves it runs nowhere, DRBD-guarded by the home's agent); 100380 also: a crashed
//       agent's control socket answered nothing in the harness, so a migration's nudge hung holding its lock
//   100178, 100328, 100336, 100502, 100561, 100973  the same, but the away host kept its visitor record (its
//       autostart started it there after the home's restore; the record now ends once the domU runs at its
//       home) or could not read `xl list` and reported no domains (now said: view unknown, rows stale)
//   100326, 100895, 100933, 100968  a migration ended while the source's xl was slow: the controller answered
//       from the old view for 6 s (the agent now says its view is behind; where marks the host stale)
//   200003  a restore ended at once on "no memory figures" from a host whose xl info had failed (now waited for)
//   300777, 302053  a lost handshake while the source's agent was dead: its ALARM reached nobody (the agent now
//       raises one itself for a --migratedaway row standing 60 s with no migration of it held)
describe('fault runs that once failed (10 steps)', () =>
  seedTests([1188, 100095, 100157, 100227, 100301, 100380, 100866, 100178, 100328, 100336, 100502, 100561, 100973, 100326, 100895, 100933, 100968, 200003, 300777, 302053], { steps: 10 }));
