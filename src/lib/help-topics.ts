// `frameworks help environment` and `frameworks help exit-codes`: the two reference pages a script
// writer needs. test/unit/help-topics.test.ts fails when the sources read a variable listed nowhere here.
import { ExitCode, SERVICE_KEYS, endpointEnvVar } from '@frameworks/sdk';

export const ENVIRONMENT: Array<[string, string]> = [
  ['FRAMEWORKS_CONTEXT', 'Context to use (overridden by --context; overrides the current context of config.yaml).'],
  ['FRAMEWORKS_HOME', 'Folder of config.yaml, credentials.yaml and audit.log (default ~/.frameworks).'],
  ['FRAMEWORKS_JWT', 'A JWT to use instead of the stored one; `login` with no flag stores it.'],
  ['FRAMEWORKS_SERVICE_TOKEN', 'The provider service token, instead of the stored one; `login` with no flag stores it.'],
  ['SERVICE_TOKEN', 'Same as FRAMEWORKS_SERVICE_TOKEN (the name the services themselves use).'],
  ...SERVICE_KEYS.map((k): [string, string] => [endpointEnvVar(k), `The ${k} endpoint, over the context's (flag > environment > config > default).`]),
  ['FRAMEWORKS_CONTENT_TYPE', 'json: every command prints its --json document.'],
  ['FRAMEWORKS_NO_HINTS', 'Any value: no "Next:" hints after a successful command.'],
  ['FRAMEWORKS_COMPLETE_NODES_MS', 'Time a TAB may spend listing node ids from Quartermaster when its 60 s cache is stale (default: 100-200 ms).'],
  ['FRAMEWORKS_NPM_REGISTRY', 'The npm registry `plugins install` uses (else npm_config_registry, ~/.npmrc, registry.npmjs.org).'],
  ['FRAMEWORKS_WORKSPACE_DIR', "Workspace folder of the workspace commands (--dir; else the context's workspace.dir, else ./frameworks-workspace)."],
  ['PATH', 'Where the workspace builds and `workspace status` find go, meson, ninja, c++, pkg-config and node, and `web dev up` / `marketing dev up` the package manager (pnpm, npm, yarn) the lockfile names.'],
  ['FRAMEWORKS_EDGE_DIR', 'Edge folder of the edge commands (--dir; else the context\'s edge.dir, else .).'],
  ['FRAMEWORKS_EDGE_RELEASE_MANIFEST', 'Release manifest file of edge init/update (--release-manifest).'],
  ['FRAMEWORKS_SERVICES_DIR', 'Plan folder of the services commands (--dir; else .).'],
  ['FRAMEWORKS_SERVICES_RELEASE_MANIFEST', 'Release manifest file of services plan (--release-manifest).'],
  ['EDGE_DOMAIN, EDGE_TLS, EDGE_BIND, EDGE_HTTP_PORT, EDGE_HTTPS_PORT, EDGE_NOFILE, EDGE_PROJECT, EDGE_ENROLLMENT_TOKEN', 'Values of edge commands, after the flags and before the context and .edge.env.'],
  ['NODE_ID, NODE_NAME', 'Edge node id and name Helmsman reports, read from .edge.env by edge status and update --drain.'],
  ['COMPOSE_PROJECT_NAME', 'Compose project name, as docker compose reads it.'],
  ['TF_VAR_<name>', 'A secret Terraform variable of infra plan|apply|destroy (e.g. TF_VAR_service_token): never in a file; masked in all output; passed on to a --ssh control host.'],
  ['DOCKER_HOST', 'The Docker engine to talk to (default /var/run/docker.sock).'],
  ['SSH_AUTH_SOCK', 'The ssh-agent --ssh uses for keys (before ~/.ssh/config IdentityFile and ~/.ssh/id_*).'],
  ['PAGER', 'Pager for long help on a terminal (default: less -FRX).'],
  ['COLUMNS', 'Width of tables and help when the terminal does not say (default 80).'],
  ['NO_COLOR, FORCE_COLOR', 'Turn colour off, or on when stdout is not a terminal.'],
  ['DEBUG', 'frameworks (or frameworks:*): the same trace as --verbose, on stderr.'],
  ['CI, TERM', 'CI set or TERM=dumb: never prompt, no menu, no pager.'],
  ['HOME, USER, LOGNAME, XDG_DATA_HOME, XDG_CACHE_HOME', 'Where plugins and completion scripts live; who holds a lock.'],
];

export const EXIT_CODES: Array<[number, string]> = [
  [ExitCode.OK, 'success'],
  [ExitCode.FAILED, 'failed: a check failed, the server refused, the operation did not complete'],
  [ExitCode.USAGE, 'usage: a flag, argument or value is wrong or missing (nothing was done)'],
  [ExitCode.NOT_AUTHENTICATED, 'not authenticated: no usable credential (frameworks login)'],
  [ExitCode.CONFIG_INVALID, 'configuration: config.yaml, credentials.yaml or a file named by a flag is invalid, or the context does not exist'],
  [ExitCode.FORBIDDEN, 'forbidden: the server or the system refused the permission'],
  [ExitCode.NETWORK, 'network: a server or host could not be reached'],
  [ExitCode.CHANGES_PENDING, 'changes pending: infra plan --detailed-exitcode found changes to apply (CI drift check)'],
  [ExitCode.INTERNAL, 'internal: a bug in frameworks (re-run with --verbose and report it)'],
  [ExitCode.PARTIAL, 'partial: some hosts of a fleet failed, others succeeded'],
  [ExitCode.INTERRUPTED, 'interrupted: Ctrl-C or SIGTERM'],
];

export const HELP_TOPICS: Record<string, { summary: string; render: (width: number) => string }> = {
  environment: {
    summary: 'Every environment variable frameworks reads.',
    render: (width) => `ENVIRONMENT\n${table(ENVIRONMENT, width)}`,
  },
  'exit-codes': {
    summary: 'What each exit status means (the same for every command).',
    render: (width) => `EXIT CODES\n${table(EXIT_CODES.map(([c, t]) => [String(c), t]), width)}`,
  },
};

/** Two columns, the second wrapped at word boundaries to the width. */
function table(rows: Array<[string, string]>, width: number): string {
  const left = Math.min(Math.max(...rows.map(([k]) => k.length)), 36);
  const out: string[] = [];
  for (const [k, v] of rows) {
    const room = Math.max(width - left - 6, 30);
    const lines = wrapWords(v, room);
    if (k.length > left) out.push(`  ${k}`, ...lines.map((l) => `  ${' '.repeat(left)}  ${l}`));
    else lines.forEach((l, i) => out.push(`  ${(i === 0 ? k : '').padEnd(left)}  ${l}`));
  }
  return out.join('\n');
}

export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
