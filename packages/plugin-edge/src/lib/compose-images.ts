/**
 * The images a compose file pins, read from its text with .edge.env's values substituted (no
 * `compose config` round trip). Shared by preflight (which image to test nofile with) and status (drift).
 */

/** ${VAR}, ${VAR:-default} and $VAR from `env`. */
export function interpolate(ref: string, env: Record<string, string> = {}): string {
  return ref.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_all, a: string, def: string | undefined, b: string) => env[a ?? b] || def || '');
}

/** `image:` values of a compose file, in order. */
export function composeImages(composeText: string, env: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const m of composeText.matchAll(/^\s*image:\s*["']?([^"'\s#]+)["']?/gm)) {
    const ref = interpolate(m[1], env);
    if (ref) out.push(ref);
  }
  return out;
}

/** service → pinned image, for the services of a compose file's top-level `services:` (two-space indented). */
export function composeServiceImages(composeText: string, env: Record<string, string> = {}): Map<string, string> {
  const out = new Map<string, string>();
  let inServices = false;
  let service: string | undefined;
  for (const line of composeText.split('\n')) {
    if (/^\S/.test(line)) {
      inServices = /^services:\s*$/.test(line);
      service = undefined;
      continue;
    }
    if (!inServices) continue;
    const svc = /^ {2}([A-Za-z0-9._-]+):\s*$/.exec(line);
    if (svc) {
      service = svc[1];
      continue;
    }
    const img = /^ {4}image:\s*["']?([^"'\s#]+)["']?/.exec(line);
    if (service && img) out.set(service, interpolate(img[1], env));
  }
  return out;
}

/** One spelling per image: docker.io/library/ left out, `:latest` made explicit. */
export function normalizeImage(ref: string): string {
  let r = ref.replace(/^(?:docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
  const last = r.split('/').pop()!;
  if (!r.includes('@') && !last.includes(':')) r = `${r}:latest`;
  return r;
}
