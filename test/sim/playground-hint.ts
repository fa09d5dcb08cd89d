import type { SimState } from './model/types.js';

/**
 * The commands the playground suggests, in the names of the fleet it runs: a newcomer's own fleet
 * has no web1, and a hint naming one would be refused. The example move is a domU running at its
 * home with a peer to go to (so `migrate` and then `reverse` both work); without one, `where '*'`.
 */
export function playgroundHint(s: SimState, withSsh: boolean): string {
  const byName = [...s.domains].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const movable = byName.find((d) => {
    const def = s.domus[d.name];
    return def !== undefined && def.peer !== null && d.host === def.home;
  });
  const first = movable ?? byName[0];
  const where = first === undefined ? "`xenherdctl where '*'`" : `\`xenherdctl where ${first.name}\``;
  const move = movable !== undefined && withSsh ? `, \`xenherdctl migrate ${movable.name} ${s.domus[movable.name]?.peer ?? ''}\`, \`xenherdctl reverse ${movable.name}\`` : '';
  return `Then e.g. ${where}, \`xenherdctl hosts\`, \`xenherdctl status\`${move}.`;
}
