import { describe, expect, it } from 'vitest';
import { judgeMaintenance, occupants, type MaintenanceFacts, type MaintenanceRequest, type MaintenanceState } from '../../../agent/decide/maintenance-rules.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import type { Maintenance } from '../../../shared/protocol/agent-link-state.js';

// The owner rules of the controller's `maintenance` command (shared/protocol/agent-link-commands.ts),
// as a table: each row a situation and what the agent answers. Then every combination of flag,
// lease, sender and xl list, checked against the rules read in their order.

const row = (name: string, over: Partial<InventoryDomain> = {}): InventoryDomain => ({
  name,
  baseName: name === 'Domain-0' ? name : name.replace(/--(incoming|migratedaway)$/, ''),
  domid: 7,
  memMiB: 1024,
  vcpus: 1,
  stateLetters: '-b----',
  state: 'blocked',
  shutdownReason: null,
  migration: name.endsWith('--incoming') ? 'incoming' : name.endsWith('--migratedaway') ? 'migratedaway' : null,
  cpuTimeS: 1,
  ...over,
});
const DOM0 = row('Domain-0', { domid: 0 });
const EMPTY = [DOM0];
const flag = (state: MaintenanceState, operationId: string | null = 'op1', owner: string | null = 'ctl-a'): Maintenance => (state === 'online' ? { state, operationId: null, owner: null } : { state, operationId, owner });
const req = (state: MaintenanceState, from: MaintenanceState[], operationId = 'op1', owner = 'ctl-a', leaseMs = 60_000): MaintenanceRequest => ({ state, from, operationId, owner, leaseMs });
const facts = (current: Maintenance, leaseLive = false, domains: InventoryDomain[] | null = EMPTY): MaintenanceFacts => ({ current, leaseLive, domains });

describe('maintenance owner rules, by situation', () => {
  const cases: { why: string; req: MaintenanceRequest; facts: MaintenanceFacts; want: { ok: boolean; rule: number; code?: string; leaseMs?: number | null } }[] = [
    { why: 'start a drain on an online host', req: req('draining', ['online']), facts: facts(flag('online')), want: { ok: true, rule: 5, leaseMs: 60_000 } },
    { why: 'a late renewal after an operator set the host online (compare-and-set)', req: req('draining', ['draining']), facts: facts(flag('online')), want: { ok: false, rule: 1, code: 'XH_ERR_REFUSED' } },
    { why: 'online is refused too when the flag is not what the sender saw', req: req('online', ['restoring']), facts: facts(flag('draining'), true), want: { ok: false, rule: 1, code: 'XH_ERR_REFUSED' } },
    { why: 'the operator\'s override: online from anyone, over a live lease of another owner', req: req('online', ['draining'], 'op9', 'ctl:admin'), facts: facts(flag('draining'), true), want: { ok: true, rule: 2, leaseMs: null } },
    { why: 'online while domUs run: online never needs an empty host', req: req('online', ['maintenance']), facts: facts(flag('maintenance'), false, [DOM0, row('web1')]), want: { ok: true, rule: 2, leaseMs: null } },
    { why: 'a second controller while the first renews', req: req('draining', ['draining'], 'op1', 'ctl-b'), facts: facts(flag('draining'), true), want: { ok: false, rule: 3, code: 'XH_ERR_LOCKED' } },
    { why: 'another drain while the first renews', req: req('draining', ['draining'], 'op2', 'ctl-a'), facts: facts(flag('draining'), true), want: { ok: false, rule: 3, code: 'XH_ERR_LOCKED' } },
    { why: 'the owner renews its own drain', req: req('draining', ['draining']), facts: facts(flag('draining'), true), want: { ok: true, rule: 5, leaseMs: 60_000 } },
    { why: 'the same drain resumed by a new owner after the lease lapsed', req: req('draining', ['draining'], 'op1', 'ctl-b'), facts: facts(flag('draining'), false), want: { ok: true, rule: 5, leaseMs: 60_000 } },
    { why: 'a restore taking over a lapsed drain', req: req('restoring', ['draining'], 'op3', 'ctl-b'), facts: facts(flag('draining'), false), want: { ok: true, rule: 5, leaseMs: 60_000 } },
    { why: 'a restore of another owner while the restore renews', req: req('restoring', ['restoring'], 'op3', 'ctl-b'), facts: facts(flag('restoring', 'op3', 'ctl-a'), true), want: { ok: false, rule: 3, code: 'XH_ERR_LOCKED' } },
    { why: 'release: lease 0 keeps the state and frees it at once', req: req('draining', ['draining'], 'op1', 'ctl-a', 0), facts: facts(flag('draining'), true), want: { ok: true, rule: 5, leaseMs: 0 } },
    { why: 'maintenance (a settled state) is anyone\'s to move on from: no lease protects it', req: req('draining', ['maintenance'], 'op5', 'ctl-b'), facts: facts(flag('maintenance', 'op1', 'ctl-a'), true), want: { ok: true, rule: 5, leaseMs: 60_000 } },
    { why: 'the drain ends: maintenance on an empty host, no lease', req: req('maintenance', ['draining']), facts: facts(flag('draining'), true), want: { ok: true, rule: 5, leaseMs: null } },
    { why: 'maintenance while a domU still runs', req: req('maintenance', ['draining']), facts: facts(flag('draining'), true, [DOM0, row('web1')]), want: { ok: false, rule: 4, code: 'XH_ERR_REFUSED' } },
    { why: 'maintenance while a migration row arrives', req: req('maintenance', ['draining']), facts: facts(flag('draining'), true, [DOM0, row('web1--incoming')]), want: { ok: false, rule: 4, code: 'XH_ERR_REFUSED' } },
    { why: 'maintenance while a migration row leaves', req: req('maintenance', ['draining']), facts: facts(flag('draining'), true, [DOM0, row('db1--migratedaway')]), want: { ok: false, rule: 4, code: 'XH_ERR_REFUSED' } },
    { why: 'xm\'s stopped rows (no domid) run nothing', req: req('maintenance', ['online']), facts: facts(flag('online'), false, [DOM0, row('old1', { domid: null, state: 'stopped' })]), want: { ok: true, rule: 5, leaseMs: null } },
    { why: 'maintenance when xl list cannot be read', req: req('maintenance', ['online']), facts: facts(flag('online'), false, null), want: { ok: false, rule: 4, code: 'XH_ERR_REFUSED' } },
    { why: 'rule 3 before rule 4: another owner\'s live drain is LOCKED even with domUs running', req: req('maintenance', ['draining'], 'op1', 'ctl-b'), facts: facts(flag('draining'), true, [DOM0, row('web1')]), want: { ok: false, rule: 3, code: 'XH_ERR_LOCKED' } },
    { why: 'rule 1 before rule 3', req: req('draining', ['online'], 'op2', 'ctl-b'), facts: facts(flag('draining'), true), want: { ok: false, rule: 1, code: 'XH_ERR_REFUSED' } },
    { why: 'an operator\'s touch file (maintenance, nobody\'s operation) taken over by a drain', req: req('draining', ['maintenance'], 'op7', 'ctl-a'), facts: facts({ state: 'maintenance', operationId: null, owner: 'the maintenance file' }), want: { ok: true, rule: 5, leaseMs: 60_000 } },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const v = judgeMaintenance(c.req, c.facts);
      expect(v).toMatchObject({ ok: c.want.ok, rule: c.want.rule, ...(c.want.code ? { code: c.want.code } : {}), ...(c.want.leaseMs !== undefined ? { leaseMs: c.want.leaseMs } : {}) });
      if (v.ok) expect(v.flag).toEqual(c.req.state === 'online' ? { state: 'online', operationId: null, owner: null } : { state: c.req.state, operationId: c.req.operationId, owner: c.req.owner });
      else expect(v.message.length).toBeGreaterThan(10);
    });
  }
});

describe('maintenance owner rules, every combination', () => {
  const STATES: MaintenanceState[] = ['online', 'draining', 'maintenance', 'restoring'];
  const active = (s: MaintenanceState): boolean => s === 'draining' || s === 'restoring';
  /** the contract's five rules, read top to bottom */
  function expected(r: MaintenanceRequest, f: MaintenanceFacts): { ok: boolean; rule: number } {
    if (!r.from.includes(f.current.state)) return { ok: false, rule: 1 };
    if (r.state === 'online') return { ok: true, rule: 2 };
    if (active(f.current.state) && f.leaseLive && (f.current.operationId !== r.operationId || f.current.owner !== r.owner)) return { ok: false, rule: 3 };
    if (r.state === 'maintenance' && (f.domains === null || f.domains.some((d) => d.name !== 'Domain-0' && d.domid !== null))) return { ok: false, rule: 4 };
    return { ok: true, rule: 5 };
  }
  it('judges each of the 4 × 4 × 15 × 2 × 3 × 3 situations by the rules in their order', () => {
    const froms: MaintenanceState[][] = [];
    for (let mask = 1; mask < 16; mask++) froms.push(STATES.filter((_, i) => mask & (1 << i)));
    const senders = [
      ['op1', 'ctl-a'],
      ['op2', 'ctl-a'],
      ['op1', 'ctl-b'],
    ] as const;
    const lists: (InventoryDomain[] | null)[] = [EMPTY, [DOM0, row('web1')], null];
    let n = 0;
    for (const cur of STATES)
      for (const want of STATES)
        for (const from of froms)
          for (const leaseLive of [false, true])
            for (const [op, owner] of senders)
              for (const domains of lists) {
                const r = req(want, from, op, owner, 30_000);
                const f = facts(flag(cur), leaseLive, domains);
                const v = judgeMaintenance(r, f);
                const e = expected(r, f);
                expect({ ok: v.ok, rule: v.rule }, JSON.stringify({ r, f: { ...f, domains: domains?.length ?? null } })).toEqual(e);
                if (v.ok) expect(v.leaseMs).toBe(active(want) ? 30_000 : null);
                else expect(v.code).toBe(v.rule === 3 ? 'XH_ERR_LOCKED' : 'XH_ERR_REFUSED');
                n++;
              }
    expect(n).toBe(4 * 4 * 15 * 2 * 3 * 3);
  });

  it('counts as occupants every domain but Domain-0 and xm\'s stopped rows', () => {
    expect(occupants([DOM0, row('a'), row('b--incoming'), row('c', { domid: null })]).map((d) => d.name)).toEqual(['a', 'b--incoming']);
  });
});
