import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNNING_AS_ROOT } from '../../../controller/cli/serve.js';
import { CONTROLLER } from '../../../packaging/deb/layout.js';

// serve run by hand as root points to where the fix is written down, as an installed controller
// has it: the README the controller's package installs, and a section of it that exists.
describe('serve: the running-as-root warning', () => {
  it('names the README path the controller package installs and the section that says what to do', () => {
    const doc = /(\/usr\/share\/doc\/\S+\/README\.md\.gz)/.exec(RUNNING_AS_ROOT)?.[1];
    expect(doc).toBe('/usr/share/doc/xenherd-controller/README.md.gz');
    expect(CONTROLLER.entries.map((e) => `/${e.path}`)).toContain(doc);
    const section = /section "([^"]+)"/.exec(RUNNING_AS_ROOT)?.[1];
    expect(section).toBe('The controller and xenherdctl');
    const readme = readFileSync('README.md', 'utf8');
    const headings = readme.split('\n').filter((l) => l.startsWith('#')).map((l) => l.replace(/^#+ /, '').replace(/`/g, ''));
    expect(headings).toContain(section);
    // and that section is the one saying how to run it unprivileged
    const body = readme.slice(readme.indexOf('## The controller and `xenherdctl`'), readme.indexOf('## Monitoring'));
    expect(body).toContain('logs `running-as-root`');
  });
});
