/**
 * A `soon` that runs one waiting callback per turn of the event loop, in the order they were
 * asked for, given the runtime's own "after this turn's I/O" (setImmediate).
 *
 * Work cut into slices asks to go on soon: agent messages, a look over the fleet for alerts, each
 * agent's fleet view, the heartbeat sweep, a plan. As separate immediates, every one of them ran
 * its next slice in the same check phase, one after another, so four kinds of work with 1 ms
 * slices each made a 4 ms stretch in which no request was read. Taking turns, a request waits
 * behind one slice at most, and each kind of work still gets every few turns. A callback asked
 * for during a turn goes behind those already waiting.
 */
export function oneEachTurn(afterIo: (fn: () => void) => void): (fn: () => void) => void {
  const waiting: Array<() => void> = [];
  let armed = false;
  const turn = (): void => {
    armed = false;
    const fn = waiting.shift();
    // armed again before fn runs: a callback that throws leaves the others still waiting their turns
    if (waiting.length > 0) arm();
    fn?.();
  };
  const arm = (): void => {
    armed = true;
    afterIo(turn);
  };
  return (fn) => {
    waiting.push(fn);
    if (!armed) arm();
  };
}
