import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onBrokenPipe } from '../../../agent/cli/broken-pipe.js';
import { BROKEN_PIPE_EXIT } from '../../../shared/cli/broken-pipe.js';

const failure = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`write ${code}`), { code });

// The commands a controller's daemon runs as children (agent/run/command-process.ts) move a domU;
// the daemon holding their pipes may be restarted mid-move (systemctl restart, package upgrade).
describe('xenherd-agent commands that move a domU, when their reader goes away', () => {
  for (const command of ['migrate', 'reverse', 'move-stop', 'move-start', 'migrate2']) {
    it(`${command} carries on: no exit, no throw, on stdout and stderr alike`, () => {
      const out = new EventEmitter();
      const err = new EventEmitter();
      const codes: number[] = [];
      onBrokenPipe(command, [out, err], (c) => codes.push(c));
      // EIO: the terminal of an operator's ssh session that dropped
      for (const s of [out, err]) for (const code of ['EPIPE', 'ECONNRESET', 'EBADF', 'EIO']) expect(() => s.emit('error', failure(code))).not.toThrow();
      expect(codes).toEqual([]);
      // a write error that does not mean "nobody listens" is still not hidden
      expect(() => out.emit('error', failure('ENOSPC'))).toThrow('ENOSPC');
    });
  }

  for (const command of ['status', 'reconcile', 'inventory', undefined]) {
    it(`${String(command)} still ends quietly with ${BROKEN_PIPE_EXIT}`, () => {
      const out = new EventEmitter();
      const codes: number[] = [];
      onBrokenPipe(command, [out], (c) => codes.push(c));
      out.emit('error', failure('EPIPE'));
      expect(codes).toEqual([BROKEN_PIPE_EXIT]);
    });
  }
});
