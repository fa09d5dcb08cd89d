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

/**
 * xend's six letters (xm list): r b p s c d, each a flag. Its fifth is "crashed", not xl's
 * shutdown-reason letter, so a suspended domain (shut down for suspend, and paused) is "--ps--".
 */
export function xmStateLetters(run: RunState): string {
  return run === 'suspended' ? '--ps--' : stateLetters(run);
}
