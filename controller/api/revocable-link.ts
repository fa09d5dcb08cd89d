import { CLOSE, type Link } from '../../shared/link/link.js';

/**
 * An agent link that ends with its token. The token is checked once, at the upgrade: without
 * this, a link opened before `xenherd-controller revoke` (or before `enroll` replaced the token)
 * would go on reporting as its host, and taking migrate and start commands, until it dropped by
 * itself. So the token is looked up again on every frame in or out (in the store as it was a
 * moment ago: recent-tokens.ts); an agent sends a heartbeat every heartbeatMs, so a revoked link
 * ends within one heartbeat, and no command reaches it after that moment. No timer:
 * a link carrying nothing does nothing until link-sweep gives it up.
 *
 * STILL_VALID says whether the token is still in the store; ON_REVOKED is told once, before the
 * link closes with CLOSE.policy (the agent then backs off as for any refusal, and its next
 * upgrade is refused with 401).
 */
export function revocableLink(inner: Link, stillValid: () => boolean, onRevoked: () => void): Link {
  let revoked = false;
  const valid = (): boolean => {
    if (revoked) return false;
    if (stillValid()) return true;
    revoked = true;
    onRevoked();
    inner.close(CLOSE.policy, 'token revoked: xenherd-controller enroll HOST makes a new one');
    return false;
  };
  const link: Link = {
    remote: inner.remote,
    send: (text) => {
      if (valid()) inner.send(text);
    },
    close: (code, reason) => inner.close(code, reason),
    onMessage: (h) =>
      inner.onMessage((text) => {
        if (valid()) h(text);
      }),
    onClose: (h) => inner.onClose(h),
  };
  return inner.heardAt === undefined ? link : { ...link, heardAt: inner.heardAt };
}
