/** `1.19.8` ≥ `1.19`? Numeric per part; a missing part counts as 0. */
export function versionAtLeast(installed: string, required: string): boolean {
  const a = installed.split('.').map((x) => parseInt(x, 10) || 0);
  const b = required.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The `go` directive of a go.mod (`go 1.26` or `go 1.26.0`). */
export function goDirective(gomod: string): string | undefined {
  return /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(gomod)?.[1];
}

/** `go version go1.19.8 linux/amd64` → `1.19.8`. */
export function goVersionOf(stdout: string): string | undefined {
  return /go(\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1];
}

/** The first version-looking word of a tool's --version output. */
export function firstVersion(stdout: string): string | undefined {
  return /(\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1];
}
