import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onBrokenPipe } from '../../../agent/cli/broken-pipe.js';
import { BROKEN_PIPE_EXIT } from '../../../shared/cli/broken-pipe.js';

const epipe = (): NodeJS.ErrnoException => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe("xenherd-agent when its output's reader goes away", () => {
  it('a one-shot command ends quietly with 141', () => {
    const out = new EventEmitter();
    const codes: number[] = [];
    onBrokenPipe('status', [out], (c) => codes.push(c));
    out.emit('error', epipe());
    expect(codes).toEqual([BROKEN_PIPE_EXIT]);
  });

  it('the forced migrate2 carries on to the end of its migration: no exit, no throw', () => {
    const out = new EventEmitter();
    const codes: number[] = [];
    onBrokenPipe('migrate2', [out], (c) => codes.push(c));
    expect(() => out.emit('error', epipe())).not.toThrow();
    expect(codes).toEqual([]);
    // a write error that is not the reader going away (a full disk behind a redirect) is not hidden
    expect(() => out.emit('error', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }))).toThrow('ENOSPC');
  });

  it('the daemon is left as it is (no listener: systemd restarts it if the journal pipe breaks)', () => {
    const out = new EventEmitter();
    onBrokenPipe('run', [out], () => undefined);
    expect(out.listenerCount('error')).toBe(0);
  });
});
