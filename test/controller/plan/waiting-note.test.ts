import { describe, expect, it } from 'vitest';
import type { Blocker, Leftover } from '../../../shared/protocol/ctl-jobs.js';
import { leftover } from '../../../controller/plan/leftover-text.js';
import { waitingNote } from '../../../controller/plan/waiting-note.js';

const connecting = (name: string): Blocker => ({ kind: 'drbd-not-ready', resource: `r-${name}`, host: 'xen2', target: 'xen1', state: 'Connecting', clearsUp: true, detail: `r-${name} on xen2 is Connecting (disk UpToDate, peer DUnknown)` });
const unreachable: Blocker = { kind: 'targets-unavailable', targets: [{ host: 'xen6', why: 'unreachable' }] };
const vms = (n: number, b: (name: string) => Blocker): Leftover[] => Array.from({ length: n }, (_, i) => leftover(`vm${i}`, 'xen2', b(`vm${i}`)));

describe('the note of domUs a job waits for', () => {
  it('one domU: its own sentence, as before', () => {
    const [one] = vms(1, connecting);
    expect(waitingNote([one!]).line).toBe(`waiting: ${one!.message}`);
  });

  it('a roll group back from its reboot, 100 domUs waiting for their DRBD links: said once, with the count and the first names, every word whole', () => {
    const note = waitingNote(vms(100, connecting));
    expect(note.line).toBe(`waiting (100 domUs): 100 domUs (vm0, vm1, vm2, vm3, vm4, vm5, vm6, vm7 and 92 more) alike, e.g. ${leftover('vm0', 'xen2', connecting('vm0')).message}`);
    expect(note.line.length).toBeLessThan(600);
  });

  it('two reasons: each said once; the key stays while domUs of a group get ready, and changes with the reasons', () => {
    const all = [...vms(9, () => unreachable), leftover('db1', 'xen2', connecting('db1'))];
    const note = waitingNote(all);
    expect(note.line).toBe(
      'waiting (10 domUs): 9 domUs (vm0, vm1, vm2, vm3, vm4, vm5, vm6, vm7 and 1 more) alike, e.g. vm0: every host that could take it is unavailable: xen6 is unreachable (its agent is not connected); ' +
        `${all[9]!.message}`,
    );
    expect(waitingNote(all.slice(3)).key).toBe(note.key);
    expect(waitingNote(all.slice(0, 9)).key).not.toBe(note.key);
  });

  it('more than five reasons: five said, the others counted', () => {
    const states = ['no-memory-report', 'unreachable', 'stale', 'behind', 'not-reported'] as const;
    const ls = [...states.map((why, i) => leftover(`vm${i}`, 'xen2', { kind: 'targets-unavailable', targets: [{ host: 'xen6', why }] })), leftover('db1', 'xen2', connecting('db1'))];
    expect(waitingNote(ls).line).toMatch(/^waiting \(6 domUs\): vm0: .*; and 1 more reason \(the job's end names each domU\)$/);
  });
});
