import { describe, expect, it } from 'vitest';
import { unsetSshVariables, variablesExpandedOnceConnected } from '../../../agent/parse/ssh-g-env.js';

describe("the ${VAR}s of root's ssh_config", () => {
  it("names the variables ssh's stderr says have no value, each once", () => {
    const stderr = 'vdollar_percent_expand: env var ${A_X} has no value\ninvalid environment variable expansion\nvdollar_percent_expand: env var ${A_X} has no value\n';
    expect(unsetSshVariables(stderr)).toEqual(['A_X']);
  });

  it('finds those of the IdentityFile and CertificateFile lines ssh -G prints as written, and no other line', () => {
    const dump = [
      'hostname 10.0.0.2',
      'identityfile ~/.ssh/id_ed25519',
      'identityfile ${KEYS}/xen2-${ROLE}\r',
      'certificatefile ${CERTS}/c.pub',
      // ssh -G has already expanded UserKnownHostsFile: a `${` left there is a path's own text
      'userknownhostsfile /root/${literal}',
      'identityfile /root/$NOBRACE',
    ].join('\n');
    expect(variablesExpandedOnceConnected(dump)).toEqual([
      { option: 'IdentityFile', variable: 'KEYS', value: '${KEYS}/xen2-${ROLE}' },
      { option: 'IdentityFile', variable: 'ROLE', value: '${KEYS}/xen2-${ROLE}' },
      { option: 'CertificateFile', variable: 'CERTS', value: '${CERTS}/c.pub' },
    ]);
  });
});
