import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { sanNames } from '../../shared/tls/san-names.js';
import { spanText } from '../../shared/text/span-text.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import { hostOf } from '../../shared/url-host.js';
import { CERT_WARN_MS, certificateLeftMs, type ServerCertificate } from '../fleet/server-certificate.js';
import { BIN, shellWord } from './common.js';
import { DEFAULT_CONFIG_PATH } from './hooks.js';

/**
 * How the operator renews the certificate of the controller serving CONFIGFILE. The packaged
 * service (SERVICE: its TLS files came as systemd credentials) reads /etc/xenherd/controller.json
 * and takes a new certificate only when systemd restarts it.
 */
export function renewAdvice(configFile: string, service: boolean): string {
  if (service) return `${BIN} renew-cert, then systemctl restart xenherd-controller`;
  return `${BIN} renew-cert${configFile === DEFAULT_CONFIG_PATH ? '' : ` --config ${shellWord(configFile)}`}, then restart ${BIN} serve`;
}

/** The small pure value the core judges (controller/fleet/server-certificate.ts); null when LEAF's end cannot be read. */
export function servedCertificate(leaf: X509Certificate, renew: string): ServerCertificate | null {
  const notAfter = Date.parse(leaf.validTo);
  return Number.isFinite(notAfter) ? { notAfter, names: sanNames(leaf).names, renew } : null;
}

/** Whether LEAF names HOST (a host name or a bare IP literal), as OpenSSL matches it for the agents. */
const names = (leaf: X509Certificate, host: string): boolean => (isIP(host) !== 0 ? leaf.checkIP(host) : leaf.checkHost(host)) !== undefined;

export interface StartNote {
  readonly level: 'error' | 'warn';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

/**
 * What serve says at start of the certificate it serves, judged at NOW: expired (an error: agents
 * check it fully, a caFingerprint pin only finds the CA they then verify it with, and xenherdctl
 * checks it too, so nothing can connect; serve starts all the same, as its clock may be the one
 * that is wrong), near its end (a warning, as `check` gives it), and AGENTURL's host (the URL
 * `enroll` gives agents; null: none yet) missing from its names.
 */
export function certificateNotes(cert: ServerCertificate, leaf: X509Certificate, agentUrl: string | null, now: number): StartNote[] {
  const out: StartNote[] = [];
  const left = certificateLeftMs(cert, now);
  const notAfter = new Date(cert.notAfter).toISOString();
  const date = utcMinuteText(cert.notAfter);
  if (left < 0) {
    out.push({
      level: 'error',
      fields: { event: 'tls-cert-expired', notAfter },
      message: `the TLS certificate (tls.cert) expired on ${date}: agents, their caFingerprint pin or not, and xenherdctl refuse it, so nothing can connect (unless this machine's clock is wrong): renew it: ${cert.renew}`,
    });
  } else if (left <= CERT_WARN_MS) {
    out.push({ level: 'warn', fields: { event: 'tls-cert-expiring', notAfter }, message: `the TLS certificate (tls.cert) expires on ${date}, in ${spanText(left)}: from then on nothing can connect; renew it: ${cert.renew}` });
  }
  const host = agentUrl === null ? null : hostOf(new URL(agentUrl));
  if (agentUrl !== null && host !== null && !names(leaf, host)) {
    out.push({
      level: 'warn',
      fields: { event: 'tls-cert-name', url: agentUrl, names: cert.names },
      message: `agents are told to dial ${agentUrl} (publicUrl, or this host's name without it), and the TLS certificate does not name ${host} (it names ${cert.names.join(', ') || 'no host names'}): their connections fail its name check; set publicUrl to one of those names, or renew it with this one: ${BIN} renew-cert --name ${host}`,
    });
  }
  return out;
}
