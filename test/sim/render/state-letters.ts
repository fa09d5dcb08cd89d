import type { RunState } from '../model/types.js';

/** xl's six state letters: r b p s <shutdown reason> d. */
export function stateLetters(run: RunState): string {
  switch (run) {
    case 'running': return 'r-----';
    case 'blocked': return '-b----';
    case 'paused': return '--p---';
    // a saved-and-suspended domain (NAME--migratedaway) is also paused: lab capture 11 shows "--pss-"
    case 'suspended': return '--pss-';
    case 'dying': return '-----d';
  }
}
