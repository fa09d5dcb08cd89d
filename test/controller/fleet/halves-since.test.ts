import { describe, expect, it } from 'vitest';
import { noteHalves, type HostRecord } from '../../../controller/fleet/host-record.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { dom, hostState, record } from '../states.js';

const withRows = (r: HostRecord, domains: LinkDomain[]): HostRecord => ({ ...r, state: hostState({ domains }) });
const half = (name: string, domid: number): LinkDomain => dom(name, { migration: 'migratedaway', domid });

describe("the controller's clock on each sender's half a host reports", () => {
  it('starts when a half first shows, keeps its time while it stands (under another domid too), and ends when it goes', () => {
    let r = noteHalves(withRows(record('xen1', null), [dom('a'), half('web1', 7)]), 1_000);
    expect(r.halvesSince).toEqual({ 'web1--migratedaway': { domid: 7, since: 1_000 } });
    r = noteHalves(withRows(r, [dom('a'), half('web1', 7), half('db1', 9)]), 5_000);
    expect(r.halvesSince).toEqual({ 'web1--migratedaway': { domid: 7, since: 1_000 }, 'db1--migratedaway': { domid: 9, since: 5_000 } });
    // the row re-listed under another domid without ever leaving the report: the same standing row
    r = noteHalves(withRows(r, [half('web1', 12), half('db1', 9)]), 9_000);
    expect(r.halvesSince).toEqual({ 'web1--migratedaway': { domid: 12, since: 1_000 }, 'db1--migratedaway': { domid: 9, since: 5_000 } });
    r = noteHalves(withRows(r, [half('db1', 9)]), 10_000);
    expect(r.halvesSince).toEqual({ 'db1--migratedaway': { domid: 9, since: 5_000 } });
    r = noteHalves(withRows(r, [dom('db1')]), 11_000);
    expect(r).not.toHaveProperty('halvesSince');
    // another migration of web1 later (its row left the report in between): its own clock
    r = noteHalves(withRows(r, [half('web1', 14)]), 20_000);
    expect(r.halvesSince).toEqual({ 'web1--migratedaway': { domid: 14, since: 20_000 } });
  });

  it('leaves the record itself when nothing changed: with no half, and with the same halves', () => {
    const plain = withRows(record('xen1', null), [dom('a'), dom('b', { migration: 'incoming' })]);
    expect(noteHalves(plain, 1_000)).toBe(plain);
    const held = noteHalves(withRows(record('xen1', null), [half('web1', 7)]), 1_000);
    const again = withRows(held, [dom('a'), half('web1', 7)]);
    expect(noteHalves(again, 2_000)).toBe(again);
    const none = record('xen1', null);
    expect(noteHalves(none, 1_000)).toBe(none);
  });
});
