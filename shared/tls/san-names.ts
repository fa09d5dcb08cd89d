import type { X509Certificate } from 'node:crypto';

/**
 * The names a certificate carries in its subjectAltName: DNS names as written, IP addresses as in
 * a URL (IPv6 compressed and in lower case: OpenSSL prints ::1 as 0:0:0:0:0:0:0:1). `others`:
 * entries of any other kind (email, URI, ...), as Node prints them. Node writes the entries
 * joined by ", ", a value with a comma or quote in it as a JSON string.
 */
export function sanNames(cert: X509Certificate): { readonly names: string[]; readonly others: string[] } {
  const names: string[] = [];
  const others: string[] = [];
  const text = cert.subjectAltName ?? '';
  const entry = /([A-Za-z][A-Za-z ]*):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/y;
  while (entry.lastIndex < text.length) {
    const at = entry.lastIndex;
    const m = entry.exec(text);
    if (m === null) {
      others.push(text.slice(at));
      break;
    }
    const [whole, kind, raw = ''] = m;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    const name = kind === 'DNS' ? value : kind === 'IP Address' ? ipText(value) : null;
    if (name === null) others.push(whole.replace(/, $/, ''));
    else names.push(name);
  }
  return { names, others };
}

/** An IP address as OpenSSL prints it, in the form a URL takes it. */
function ipText(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}
