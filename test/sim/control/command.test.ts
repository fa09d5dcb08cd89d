import { describe, expect, it } from 'vitest';
import { ACCEPTED, parseControlLine } from './command.js';

const names = { hosts: ['xen1', 'xen2'], resources: ['r1', 'r2'], domus: ['db1', 'web1'], tools: ['xl', 'drbdadm'] };
const parse = (line: string): ReturnType<typeof parseControlLine> => parseControlLine(line, names);

describe('the playground console, a typed line', () => {
  it('accepts the scenario words for power and drbd, agent, state and help', () => {
    expect(parse('power xen1 off')).toEqual({ ok: true, command: { kind: 'power', host: 'xen1', state: 'off' } });
    expect(parse('  power   xen2 on  ')).toEqual({ ok: true, command: { kind: 'power', host: 'xen2', state: 'on' } });
    expect(parse('drbd r1 disconnect')).toEqual({ ok: true, command: { kind: 'drbd', res: 'r1', action: 'disconnect' } });
    expect(parse('drbd r2 connect')).toEqual({ ok: true, command: { kind: 'drbd', res: 'r2', action: 'connect' } });
    expect(parse('drbd r1 split-brain')).toEqual({ ok: true, command: { kind: 'drbd', res: 'r1', action: 'split-brain' } });
    expect(parse('agent xen1 stop')).toEqual({ ok: true, command: { kind: 'agent', host: 'xen1', action: 'stop' } });
    expect(parse('agent xen2 start')).toEqual({ ok: true, command: { kind: 'agent', host: 'xen2', action: 'start' } });
    expect(parse('xenstored xen1 stop')).toEqual({ ok: true, command: { kind: 'xenstored', host: 'xen1', action: 'stop' } });
    expect(parse('xenstored xen1 kill')).toEqual({ ok: false, error: '"xenstored xen1 kill": "kill" is not stop or start' });
    expect(parse('disk xen1 full')).toEqual({ ok: true, command: { kind: 'disk', host: 'xen1', state: 'full' } });
    expect(parse('disk XEN2 read-only')).toEqual({ ok: true, command: { kind: 'disk', host: 'xen2', state: 'read-only' } });
    expect(parse('disk xen1 ok')).toEqual({ ok: true, command: { kind: 'disk', host: 'xen1', state: 'ok' } });
    expect(parse('disk xen1 empty')).toEqual({ ok: false, error: '"disk xen1 empty": "empty" is not full, low, read-only or ok' });
    expect(parse('disk xen1')).toEqual({ ok: false, error: '"disk xen1": disk takes a host and full|low|read-only|ok, e.g. `disk xen1 full`' });
    expect(parse('controller stop')).toEqual({ ok: true, command: { kind: 'controller', action: 'stop' } });
    expect(parse('controller kill')).toEqual({ ok: true, command: { kind: 'controller', action: 'kill' } });
    expect(parse('controller start')).toEqual({ ok: true, command: { kind: 'controller', action: 'start' } });
    expect(parse('controller restart')).toEqual({ ok: false, error: '"controller restart": "restart" is not stop, kill or start' });
    expect(parse('controller')).toEqual({ ok: false, error: '"controller": controller takes one of stop, kill, start, e.g. `controller stop`' });
    expect(parse('state')).toEqual({ ok: true, command: { kind: 'state' } });
    expect(parse('help')).toEqual({ ok: true, command: { kind: 'help' } });
  });

  it('takes a host name without case, as the fleet file does, and answers with the fleet\'s spelling', () => {
    expect(parse('power XEN1 off')).toEqual({ ok: true, command: { kind: 'power', host: 'xen1', state: 'off' } });
  });

  it('a blank or comment line is no command and no error', () => {
    expect(parse('')).toEqual({ ok: true, command: null });
    expect(parse('   ')).toEqual({ ok: true, command: null });
    expect(parse('# cut r1 next')).toEqual({ ok: true, command: null });
    expect(parse('power xen1 off # now')).toEqual({ ok: true, command: { kind: 'power', host: 'xen1', state: 'off' } });
  });

  it('an unknown command names every accepted one', () => {
    expect(parse('reboot xen1')).toEqual({ ok: false, error: `unknown command "reboot": the commands are ${ACCEPTED}` });
    expect(parse('Power xen1 off')).toMatchObject({ ok: false, error: expect.stringContaining('unknown command "Power"') });
    // the scenario's own commands that make no sense live (expect, delay, run) are not taken
    expect(parse('delay 5')).toMatchObject({ ok: false, error: expect.stringContaining('power HOST on|off, drbd RES disconnect|connect|split-brain, agent HOST stop|start, xenstored HOST stop|start, controller stop|kill|start, fault migrate DOMU before|target|handshake|none') });
  });

  it('an unknown host or resource is refused with the fleet\'s names', () => {
    expect(parse('power xen3 off')).toEqual({ ok: false, error: 'no host "xen3" in this fleet: the hosts are xen1, xen2' });
    expect(parse('agent xen9 stop')).toEqual({ ok: false, error: 'no host "xen9" in this fleet: the hosts are xen1, xen2' });
    expect(parse('drbd r9 connect')).toEqual({ ok: false, error: 'no DRBD resource "r9" in this fleet: the resources are r1, r2' });
    expect(parseControlLine('drbd r1 connect', { ...names, hosts: ['xen1'], resources: [] })).toEqual({ ok: false, error: 'no DRBD resource "r1": this fleet has none' });
  });

  it('a wrong word or count is refused with the form and an example', () => {
    expect(parse('power xen1 of')).toEqual({ ok: false, error: '"power xen1 of": "of" is not on or off' });
    expect(parse('power xen1')).toEqual({ ok: false, error: '"power xen1": power takes a host and on|off, e.g. `power xen1 off`' });
    expect(parse('power')).toEqual({ ok: false, error: '"power": power takes a host and on|off, e.g. `power xen1 off`' });
    expect(parse('power xen1 off now')).toMatchObject({ ok: false, error: expect.stringContaining('power takes a host and on|off') });
    expect(parse('drbd r1 cut')).toEqual({ ok: false, error: '"drbd r1 cut": "cut" is not disconnect, connect or split-brain' });
    expect(parse('drbd r1')).toEqual({ ok: false, error: '"drbd r1": drbd takes a resource and disconnect|connect|split-brain, e.g. `drbd r1 disconnect`' });
    expect(parse('agent xen2 restart')).toEqual({ ok: false, error: '"agent xen2 restart": "restart" is not stop or start' });
    expect(parse('state xen1')).toEqual({ ok: false, error: '"state xen1": state takes nothing after it' });
    expect(parse('help me')).toEqual({ ok: false, error: '"help me": help takes nothing after it' });
  });

  it('takes the scenario files\' faults: a migration that fails at a phase, a tool that hangs, is slow or prints garbage', () => {
    expect(parse('fault migrate web1 target')).toEqual({ ok: true, command: { kind: 'fault-migrate', domu: 'web1', phase: 'target' } });
    expect(parse('fault migrate db1 handshake')).toEqual({ ok: true, command: { kind: 'fault-migrate', domu: 'db1', phase: 'handshake' } });
    expect(parse('fault migrate web1 before')).toEqual({ ok: true, command: { kind: 'fault-migrate', domu: 'web1', phase: 'before' } });
    expect(parse('fault migrate web1 none')).toEqual({ ok: true, command: { kind: 'fault-migrate', domu: 'web1', phase: null } });
    expect(parse('fault tool XEN2 drbdadm hang')).toEqual({ ok: true, command: { kind: 'fault-tool', host: 'xen2', tool: 'drbdadm', fault: { kind: 'hang' } } });
    expect(parse('fault tool xen1 xl slow 5000')).toEqual({ ok: true, command: { kind: 'fault-tool', host: 'xen1', tool: 'xl', fault: { kind: 'slow', ms: 5000 } } });
    expect(parse('fault tool xen1 xl garbage not  a list')).toEqual({ ok: true, command: { kind: 'fault-tool', host: 'xen1', tool: 'xl', fault: { kind: 'garbage', text: 'not a list\n' } } });
    expect(parse('fault clear')).toEqual({ ok: true, command: { kind: 'fault-clear' } });
    expect(parse('fault disk XEN1 r1')).toEqual({ ok: true, command: { kind: 'fault-disk', host: 'xen1', res: 'r1' } });
  });

  it('a fault with an unknown name or a wrong word is refused with the fleet\'s names or the form', () => {
    expect(parse('fault migrate web9 target')).toEqual({ ok: false, error: 'no domU "web9" in this fleet: the domUs are db1, web1' });
    expect(parse('fault migrate web1 later')).toEqual({ ok: false, error: '"fault migrate web1 later": "later" is not before, target, handshake or none' });
    expect(parse('fault migrate web1')).toMatchObject({ ok: false, error: expect.stringContaining('fault migrate takes a domU and before|target|handshake|none, e.g. `fault migrate db1 target`') });
    expect(parse('fault tool xen1 ssh hang')).toEqual({ ok: false, error: 'no simulated tool "ssh": the tools are xl, drbdadm' });
    expect(parse('fault tool xen9 xl hang')).toEqual({ ok: false, error: 'no host "xen9" in this fleet: the hosts are xen1, xen2' });
    expect(parse('fault tool xen1 xl slow soon')).toMatchObject({ ok: false, error: expect.stringContaining('slow takes milliseconds') });
    expect(parse('fault tool xen1 xl slow 99999999')).toMatchObject({ ok: false, error: expect.stringContaining('slow takes milliseconds') });
    expect(parse('fault tool xen1 xl garbage')).toMatchObject({ ok: false, error: expect.stringContaining('garbage takes the text to print') });
    expect(parse('fault tool xen1 xl hang now')).toEqual({ ok: false, error: '"fault tool xen1 xl hang now": hang takes nothing after it' });
    expect(parse('fault tool xen1 xl explode')).toEqual({ ok: false, error: '"fault tool xen1 xl explode": "explode" is not hang, slow or garbage' });
    expect(parse('fault clear all')).toEqual({ ok: false, error: '"fault clear all": fault clear takes nothing after it' });
    expect(parse('fault power')).toMatchObject({ ok: false, error: expect.stringContaining('fault takes migrate, disk, tool or clear') });
    expect(parse('fault disk xen1 r9')).toEqual({ ok: false, error: 'no DRBD resource "r9" in this fleet: the resources are r1, r2' });
    expect(parse('fault disk xen9 r1')).toEqual({ ok: false, error: 'no host "xen9" in this fleet: the hosts are xen1, xen2' });
    expect(parse('fault disk xen1')).toMatchObject({ ok: false, error: expect.stringContaining('fault disk takes a host and a DRBD resource, e.g. `fault disk xen1 r1`') });
  });
});
