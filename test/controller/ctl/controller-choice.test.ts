import { describe, expect, it } from 'vitest';
import { chooseController, type Probe } from '../../../controller/ctl/controller-choice.js';

const P = 'ctl1:7443';
const S = 'ctl2:7443';
const T = 'ctl3:7443';
const down = (l: string): Probe => ({ kind: 'unreachable', error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `cannot reach the controller at https://${l}: ECONNREFUSED` } });
const refused: Probe = { kind: 'refused', error: { code: 'XH_ERR_AUTH', message: 'token refused' } };
/** a controller's Dom0s: those named heard (reachable), those after a '-' not */
const fleet = (...hosts: string[]): Probe => ({ kind: 'fleet', hosts: hosts.map((h) => (h.startsWith('-') ? { host: h.slice(1), reachable: false } : { host: h, reachable: true })) });
const use = (index: number, note: string | null = null) => ({ kind: 'use', index, note });
const NEXT = { kind: 'ask-next' };

describe('which controller xenherdctl asks: one configured', () => {
  it('its answer is used whatever it hears; its refusal or its absence is the error, as it was', () => {
    expect(chooseController([P], [], [])).toEqual(NEXT);
    expect(chooseController([P], [fleet('xen1')], [])).toEqual(use(0));
    expect(chooseController([P], [fleet('-xen1')], [])).toEqual(use(0));
    expect(chooseController([P], [fleet()], ['xen1'])).toEqual(use(0));
    expect(chooseController([P], [refused], [])).toEqual({ kind: 'fail', error: refused.error });
    expect(chooseController([P], [down(P)], [])).toEqual({ kind: 'fail', error: (down(P) as { error: unknown }).error });
  });
});

describe('a primary and a standby, any command', () => {
  it('a primary hearing every Dom0 it knows is used at once, the standby not asked', () => {
    expect(chooseController([P, S], [fleet('xen1', 'xen2')], [])).toEqual(use(0));
  });

  it('the primary down: the standby, said so', () => {
    expect(chooseController([P, S], [down(P)], [])).toEqual(NEXT);
    expect(chooseController([P, S], [down(P), fleet('xen1', 'xen2')], [])).toEqual(use(1, `${P} unreachable; answered by ${S}, which hears 2 of 2 Dom0s`));
  });

  it('the primary idle after a failover (its Dom0s unheard, or none known since its start): the standby that hears them', () => {
    expect(chooseController([P, S], [fleet('-xen1')], [])).toEqual(NEXT);
    expect(chooseController([P, S], [fleet('-xen1'), fleet('xen1')], [])).toEqual(use(1, `${P} hears no Dom0; answered by ${S}, which hears 1 of 1 Dom0`));
    expect(chooseController([P, S], [fleet()], [])).toEqual(NEXT);
    expect(chooseController([P, S], [fleet(), fleet('xen1', '-xen2')], [])).toEqual(use(1, `${P} hears no Dom0; answered by ${S}, which hears 1 of 2 Dom0s`));
  });

  it('neither hears all: the one hearing more, the primary on a tie, and a split fleet said', () => {
    expect(chooseController([P, S], [fleet('xen1', '-xen2', '-xen3'), fleet('-xen1', 'xen2', 'xen3')], [])).toEqual(use(1, `${P} hears 1 of 3 Dom0s; answered by ${S}, which hears 2 of 3 Dom0s`));
    expect(chooseController([P, S], [fleet('xen1', '-xen2'), fleet('-xen1', 'xen2')], [])).toEqual(use(0, `${S} hears 1 of 2 Dom0s; answered by ${P}, which hears 1 of 2 Dom0s`));
  });

  it('a Dom0 down and the standby idle, down or refusing: the primary, nothing said', () => {
    for (const standby of [fleet('-xen1', '-xen2'), down(S), refused]) expect(chooseController([P, S], [fleet('xen1', '-xen2'), standby], [])).toEqual(use(0));
  });

  it('nobody heard anywhere: the primary, and a standby down or refusing is named, as it may hold the fleet', () => {
    expect(chooseController([P, S], [fleet('-xen1'), fleet('-xen1')], [])).toEqual(use(0));
    expect(chooseController([P, S], [fleet('-xen1'), down(S)], [])).toEqual(use(0, `${S} unreachable; answered by ${P}, which hears no Dom0`));
    expect(chooseController([P, S], [fleet('-xen1'), refused], [])).toEqual(use(0, `${S} refused the request (XH_ERR_AUTH); answered by ${P}, which hears no Dom0`));
  });

  it('a refusal before any controller answered ends the choice, naming the controller (a revoked token must not pass on a standby)', () => {
    expect(chooseController([P, S], [refused], [])).toEqual({ kind: 'fail', error: { code: 'XH_ERR_AUTH', message: `${P}: token refused` } });
    expect(chooseController([P, S], [down(P), refused], [])).toEqual({ kind: 'fail', error: { code: 'XH_ERR_AUTH', message: `${S}: token refused` } });
    const expired: Probe = { kind: 'refused', error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: 'certificate expired', certificateTime: { fault: 'expired', at: 1, leaf: true } } as never };
    expect(chooseController([P, S], [expired], [])).toMatchObject({ kind: 'fail', error: { message: `${P}: certificate expired`, certificateTime: { fault: 'expired' } } });
    // a message naming the controller already is not named twice
    const named: Probe = { kind: 'refused', error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `cannot reach the controller at https://${P}: not trusted` } };
    expect(chooseController([P, S], [named], [])).toEqual({ kind: 'fail', error: named.error });
  });

  it('every controller down: one error naming each and why', () => {
    expect(chooseController([P, S], [down(P), down(S)], [])).toEqual({
      kind: 'fail',
      error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `cannot reach any of the 2 controllers: ${P}: ECONNREFUSED; ${S}: ECONNREFUSED` },
    });
  });

  it('three: asked in order, each passed over said', () => {
    expect(chooseController([P, S, T], [down(P), fleet('-xen1')], [])).toEqual(NEXT);
    expect(chooseController([P, S, T], [down(P), fleet('-xen1'), fleet('xen1')], [])).toEqual(use(2, `${P} unreachable; ${S} hears no Dom0; answered by ${T}, which hears 1 of 1 Dom0`));
    expect(chooseController([P, S, T], [fleet('-xen1'), refused, fleet('xen1')], [])).toEqual(use(2, `${P} hears no Dom0; ${S} refused the request (XH_ERR_AUTH); answered by ${T}, which hears 1 of 1 Dom0`));
  });
});

describe('an operating command naming its Dom0s', () => {
  it('the primary hearing them is used though it misses another Dom0', () => {
    expect(chooseController([P, S], [fleet('xen1', '-xen2')], ['xen1'])).toEqual(use(0));
    expect(chooseController([P, S], [fleet('xen1', '-xen2')], ['XEN1'])).toEqual(use(0));
  });

  it('the primary hearing others but not them: the controller that does, said so', () => {
    expect(chooseController([P, S], [fleet('xen1', '-xen2')], ['xen2'])).toEqual(NEXT);
    expect(chooseController([P, S], [fleet('xen1', '-xen2'), fleet('-xen1', 'xen2')], ['xen2'])).toEqual(use(1, `${P} does not hear xen2; answered by ${S}, which hears xen2`));
  });

  it('them split between two: the one hearing more of them; none hearing any: the primary, which says what it does not know', () => {
    expect(chooseController([P, S], [fleet('xen1', '-xen2', '-xen3'), fleet('-xen1', 'xen2', 'xen3')], ['xen1', 'xen2', 'xen3'])).toEqual(use(1, `${P} does not hear xen2, xen3; answered by ${S}, which does not hear xen1`));
    expect(chooseController([P, S], [fleet('xen1'), fleet('xen3')], ['xen9'])).toEqual(use(0));
  });
});
