import { describe, expect, it } from 'vitest';
import { ControllerUrls } from '../../../agent/run/controller-urls.js';

describe('ControllerUrls', () => {
  it('dials the primary first, moves on only after a failed attempt, and wraps around', () => {
    const u = new ControllerUrls('wss://a:1', ['wss://b:1', 'wss://c:1']);
    expect(u.next()).toBe('wss://a:1');
    expect(u.next()).toBe('wss://a:1');
    u.failed();
    expect(u.next()).toBe('wss://b:1');
    u.failed();
    u.failed();
    expect(u.next()).toBe('wss://a:1');
  });

  it('one URL stays that URL; a standby repeating the primary is dropped', () => {
    const one = new ControllerUrls('wss://a:1');
    one.failed();
    expect(one.next()).toBe('wss://a:1');
    expect(new ControllerUrls('wss://a:1', ['wss://a:1', 'wss://b:1']).count).toBe(2);
  });
});
