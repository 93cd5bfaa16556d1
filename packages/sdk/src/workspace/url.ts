import { mask, registerSecret } from '../redact.js';

/**
 * A repository URL with its credentials masked (`https://user:****@host/…`); the secret parts are
 * registered with redaction too, so git's own messages, --verbose and the audit log never show them.
 */
export function maskUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(url);
  if (!m) return url;
  const [, scheme, userinfo, rest] = m;
  const colon = userinfo.indexOf(':');
  if (colon >= 0) {
    registerSecret(userinfo.slice(colon + 1));
    return `${scheme}${userinfo.slice(0, colon)}:****@${rest}`;
  }
  // A lone token as the user name (https://<token>@github.com/…) is a secret; a short user name is not.
  if (userinfo.length >= 16) {
    registerSecret(userinfo);
    return `${scheme}****@${rest}`;
  }
  return url;
}

export { mask };
