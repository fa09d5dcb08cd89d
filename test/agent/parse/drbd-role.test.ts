import { describe, expect, it } from 'vitest';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole } from '../../../agent/parse/drbd-role.js';
import { readFixture } from '../../fixture.js';

const body = (f: string) => readFixture(`drbd/role/${f}`).body;

describe('drbdadm role/cstate/dstate', () => {
  it('8.4 role Local/Peer, one line per volume, Unconfigured', () => {
    expect(parseDrbdRole(body('84-secondary-unknown.txt'))).toEqual({ ok: true, value: [{ kind: 'roles', local: 'Secondary', peer: 'Unknown' }] });
    expect(parseDrbdRole(body('84-two-volumes.txt'))).toEqual({
      ok: true,
      value: [
        { kind: 'roles', local: 'Primary', peer: 'Secondary' },
        { kind: 'roles', local: 'Primary', peer: 'Secondary' },
      ],
    });
    expect(parseDrbdRole(body('84-unconfigured.txt'))).toEqual({ ok: true, value: [{ kind: 'unconfigured' }] });
  });
  it('9 role is local only', () => {
    expect(parseDrbdRole(body('9-local.txt'))).toEqual({ ok: true, value: [{ kind: 'roles', local: 'Primary', peer: null }] });
  });
  it('cstate: raw 8.4 word, one line per 9 peer', () => {
    expect(parseDrbdCstate(body('84-cstate-wfconnection.txt'))).toEqual({ ok: true, value: [{ kind: 'cstate', state: 'WFConnection' }] });
    expect(parseDrbdCstate(body('9-cstate-two-peers.txt'))).toEqual({
      ok: true,
      value: [
        { kind: 'cstate', state: 'Connected' },
        { kind: 'cstate', state: 'Connecting' },
      ],
    });
  });
  it('dstate: local then each peer', () => {
    expect(parseDrbdDstate(body('84-dstate-uptodate-dunknown.txt'))).toEqual({ ok: true, value: [{ kind: 'disks', local: 'UpToDate', peers: ['DUnknown'] }] });
    expect(parseDrbdDstate(body('9-dstate-two-peers.txt'))).toEqual({ ok: true, value: [{ kind: 'disks', local: 'UpToDate', peers: ['UpToDate', 'DUnknown'] }] });
  });
  it('unknown words, empty and malformed output fail with the line', () => {
    const cases: Array<[ReturnType<typeof parseDrbdRole> | ReturnType<typeof parseDrbdCstate> | ReturnType<typeof parseDrbdDstate>, number]> = [
      [parseDrbdRole('Secondary/Unknown\nPrimry/Secondary\n'), 2],
      [parseDrbdRole('Secondary/Unknown/Primary\n'), 1],
      [parseDrbdRole('secondary\n'), 1],
      [parseDrbdRole(''), 0],
      [parseDrbdRole('Primary\n\n'), 2],
      [parseDrbdCstate('WFConnectio\n'), 1],
      [parseDrbdCstate('Connected/Connected\n'), 1],
      [parseDrbdDstate('UpToDate/Unknown\n'), 1],
      [parseDrbdDstate('UpToDate/\n'), 1],
    ];
    for (const [r, line] of cases) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.line).toBe(line);
    }
  });
});
