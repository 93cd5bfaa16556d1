import { mask, registerSecret } from '../redact.js';

/**
 * A repository URL with its credentials masked (`https://user:****@host/…`). redact() masks the same
 * URL form in every output (git's messages, --verbose, the audit log); a lone token as the user name is
 * registered as a secret too, since git may print it without the URL around it.
 */
export function maskUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(url);
  if (!m) return url;
  const [, scheme, userinfo, rest] = m;
  const colon = userinfo.indexOf(':');
  // A password is left to redact()'s URL pattern, which masks it whole (`user:****@`), never partly.
  if (colon >= 0) {
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
