import { describe, expect, it } from 'vitest';
import { AgentConfigSchema, type AgentConfig } from '../../../agent/config/schema.js';
import { restartOnlyChanges } from '../../../agent/config/restart-only.js';

// What SIGHUP refuses to reload, naming each key: what the running agent opened or connected with at start.
const TOKEN = 'xh1.0123456789ab.c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0';
const OTHER_TOKEN = 'xh1.ba9876543210.bmV3c2VjcmV0bmV3c2VjcmV0bmV3c2Vj';
const config = (parts: Record<string, unknown> = {}): AgentConfig => AgentConfigSchema.parse(parts);
const linked = (controller: Record<string, unknown> = {}): AgentConfig => config({ controller: { url: 'wss://ctl.example:7443', token: TOKEN, caFile: '/etc/xenherd/controller-ca.crt', ...controller } });

describe('restartOnlyChanges: the keys only a restart applies', () => {
  it('nothing when only reloadable keys change (log level, autostart, migration)', () => {
    expect(restartOnlyChanges(linked(), { ...linked(), logLevel: 'debug' })).toEqual([]);
    expect(restartOnlyChanges(config(), config({ autostart: { parallel: 2 } }))).toEqual([]);
  });

  it('the state dir and the control socket, with both values', () => {
    expect(restartOnlyChanges(config(), config({ stateDir: '/srv/xh', controlSocket: '/run/xh/agent.sock' }))).toEqual([
      'stateDir (/var/lib/xenherd → /srv/xh)',
      'controlSocket (/run/xenherd/agent.sock → /run/xh/agent.sock)',
    ]);
  });

  it('a controller section added, removed, or any of its keys changed: the link was made from them', () => {
    expect(restartOnlyChanges(config(), linked())).toEqual(['controller (added)']);
    expect(restartOnlyChanges(linked(), config())).toEqual(['controller (removed)']);
    expect(restartOnlyChanges(linked(), linked({ url: 'wss://ctl2.example:7443' }))).toEqual(['controller.url (wss://ctl.example:7443 → wss://ctl2.example:7443)']);
    expect(restartOnlyChanges(linked(), linked({ caFile: undefined, caFingerprint: `AB${':CD'.repeat(31)}` }))).toEqual(['controller.caFile (/etc/xenherd/controller-ca.crt → none)', 'controller.caFingerprint']);
    expect(restartOnlyChanges(linked(), linked({ standbyUrls: ['wss://ctl3.example:7443'] }))).toEqual(['controller.standbyUrls']);
  });

  it('a new token is named, its value never (the message goes to the journal)', () => {
    const changes = restartOnlyChanges(linked(), linked({ token: OTHER_TOKEN }));
    expect(changes).toEqual(['controller.token']);
    expect(changes.join(' ')).not.toMatch(/xh1\./);
  });
});
