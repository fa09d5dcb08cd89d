/**
 * What to do when the CA file cannot be read for want of permission: `init` keeps ca.crt in
 * /etc/xenherd/tls, a directory only root may enter, so an operator other than root (or a
 * Nagios user) needs a copy of it. The certificate is no secret, so a copy anyone can read is
 * fine. '' for any other failure, which the file's own message explains.
 */
export function caCopyHint(errno: string, caFile: string, source: string): string {
  if (errno !== 'EACCES') return '';
  const where = source === 'XENHERD_CA' ? 'XENHERD_CA' : '"ca" in ctl.json';
  return `; it is a certificate, not a secret: as root, copy it where you can read it (\`install -m 644 ${caFile} /usr/local/share/xenherd-ca.crt\`) and set ${where} to the copy`;
}
