import { describe, expect, it } from 'vitest';
import { parseCommon, positionalsProblem } from '../../../agent/cli/common.js';

// A usage error names the argument that is missing (or the one too many), not a count.
describe('positionalsProblem', () => {
  it.each([
    ['keys setup PEER', ['setup'], 2, 2, 'keys setup PEER: PEER is missing (see xenherd-agent keys --help)'],
    ['keys setup PEER', [], 2, 2, 'keys setup PEER: setup and PEER are missing (see xenherd-agent keys --help)'],
    ['migrate NAME [HOST]', [], 1, 2, 'migrate NAME [HOST]: NAME is missing (see xenherd-agent migrate --help)'],
    ['migrate NAME [HOST]', ['web1', 'xen2', 'x'], 1, 2, 'migrate NAME [HOST]: unexpected argument "x" (see xenherd-agent migrate --help)'],
    ['status [ALL|NAME]', ['a', 'b'], 0, 1, 'status [ALL|NAME]: unexpected argument "b" (see xenherd-agent status --help)'],
  ])('%s with %j', (what, given, min, max, message) => {
    expect(positionalsProblem(what, given, min, max)).toBe(message);
  });

  it('is null when the arguments fit', () => {
    expect(positionalsProblem('migrate NAME [HOST]', ['web1'], 1, 2)).toBeNull();
    expect(positionalsProblem('status [ALL|NAME]', [], 0, 1)).toBeNull();
  });

  it('is what parseCommon reports as XH_ERR_USAGE', () => {
    expect(parseCommon(['setup'], [], 2, 2, 'keys setup PEER')).toEqual({ ok: false, error: { code: 'XH_ERR_USAGE', message: 'keys setup PEER: PEER is missing (see xenherd-agent keys --help)' } });
  });
});
