import { describe, expect, it } from 'vitest';
import { classifyXenstoreStderr } from '../../../agent/parse/xenstore-stderr.js';

describe("the xenstore tools' failure to open xenstore", () => {
  it('xenstored not running (ENOENT, or a socket a dead xenstored left: ECONNREFUSED): xenstore-down with the reason', () => {
    expect(classifyXenstoreStderr('xenstore-watch: xs_open: No such file or directory\n')).toEqual({ kind: 'xenstore-down', reason: 'No such file or directory' });
    expect(classifyXenstoreStderr('xenstore-read: xs_open: Connection refused\n')).toEqual({ kind: 'xenstore-down', reason: 'Connection refused' });
    // releases before xs_open named the open they tried
    expect(classifyXenstoreStderr('xenstore-watch: xs_daemon_open: No such file or directory\n')).toEqual({ kind: 'xenstore-down', reason: 'No such file or directory' });
  });

  it('the socket is root\'s: not root; anything else is not this failure', () => {
    expect(classifyXenstoreStderr('xenstore-write: xs_open: Permission denied\n')).toEqual({ kind: 'need-root' });
    expect(classifyXenstoreStderr("xenstore-read: couldn't read path /x\n")).toBeNull();
    expect(classifyXenstoreStderr('')).toBeNull();
  });
});
