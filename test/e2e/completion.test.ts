import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, ROOT } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { python, stripAnsi } from '../support/pty.js';

// Shell completion, end to end: the commands print their setup instructions, the generated
// scripts parse in their shell, and (bash and fish) actually complete when driven the way the
// shell drives them. Shells missing locally skip with a printed reason; under CI they must exist.

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];
const available = Object.fromEntries(SHELLS.map((s) => [s, spawnSync(s, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0])) as Record<Shell, boolean>;
const missing = SHELLS.filter((s) => !available[s]);
if (missing.length && !process.env.CI) {
  console.warn(`completion.test: skipping the ${missing.join(', ')} checks: not installed (CI installs them via scripts/infra.sh).`);
}
/** `it`, or `it.skip` when the shell is missing locally; never skipped under CI (the test then fails on the missing shell). */
const withShell = (shell: Shell) => (available[shell] || process.env.CI ? it : it.skip);

let sb: CliSandbox;
let cache: string; // <XDG_CACHE_HOME>/frameworks/autocomplete
let env: Record<string, string>;
let binDir: string;

beforeAll(async () => {
  sb = new CliSandbox('fw-e2e-completion-');
  cache = join(sb.baseEnv.XDG_CACHE_HOME!, 'frameworks', 'autocomplete');
  // The scripts ask the CLI itself (`frameworks __complete …`): a `frameworks` on PATH, as after npm link.
  binDir = join(sb.home, 'bin');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(binDir, 'frameworks'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(binDir, 'frameworks'), 0o755);
  env = Object.fromEntries(Object.entries(sb.baseEnv).filter(([, v]) => v !== undefined)) as Record<string, string>;
  env.PATH = `${binDir}${delimiter}${env.PATH}`;
  // Real values to complete: three contexts (local current), two ~/.ssh/config hosts and a pattern.
  for (const args of [['context', 'init'], ['context', 'create', 'prod'], ['context', 'create', 'staging']]) {
    const r = await sb.run(args);
    expect(r.code, r.stderr).toBe(0);
  }
  mkdirSync(join(sb.home, '.ssh'), { recursive: true });
  writeFileSync(join(sb.home, '.ssh', 'config'), 'Host edge-ams-1 edge-fra-1\n  User ops\nHost *.internal\n  User root\n');
});
afterAll(() => sb.cleanup());

let generated: Promise<void> | undefined;
/** plugin-autocomplete writes bash, zsh and powershell files together; generate them once for the script checks. */
function ensureOclifCache(): Promise<void> {
  generated ??= sb.run(['autocomplete', 'bash', '--refresh-cache']).then((r) => {
    expect(r.code, r.stderr).toBe(0);
  });
  return generated;
}

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? sb.home, env: opts.env ?? env, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const words = (out: string) => [...new Set(out.split('\n').filter(Boolean).map((l) => l.split('\t')[0]))];

describe('oclif completion (bash, zsh, powershell)', () => {
  it('`autocomplete bash` writes the cache and prints the .bashrc setup', async () => {
    const r = await sb.run(['autocomplete', 'bash']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Setup Instructions for FRAMEWORKS CLI Autocomplete');
    expect(r.stdout).toContain('printf "$(frameworks autocomplete script bash)" >> ~/.bashrc; source ~/.bashrc');
    expect(r.stdout).toContain('frameworks <TAB><TAB>');
    expect(existsSync(join(cache, 'bash_setup'))).toBe(true);
    expect(existsSync(join(cache, 'functions', 'bash', 'frameworks.bash'))).toBe(true);
  });

  it('`autocomplete zsh` prints the .zshrc setup', async () => {
    const r = await sb.run(['autocomplete', 'zsh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('printf "$(frameworks autocomplete script zsh)" >> ~/.zshrc; source ~/.zshrc');
    expect(r.stdout).toContain('compaudit -D');
    expect(existsSync(join(cache, 'zsh_setup'))).toBe(true);
    expect(existsSync(join(cache, 'functions', 'zsh', '_frameworks'))).toBe(true);
  });

  it('`autocomplete powershell` prints the $PROFILE setup', async () => {
    const r = await sb.run(['autocomplete', 'powershell']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Add-Content -Path $PROFILE');
    expect(r.stdout).toContain('frameworks autocomplete script powershell');
    const ps1 = join(cache, 'functions', 'powershell', 'frameworks.ps1');
    expect(existsSync(ps1)).toBe(true);
    expect(readFileSync(ps1, 'utf8')).toContain('context');
  });

  it('`autocomplete script <shell>` prints the line that sources the cached setup', async () => {
    await ensureOclifCache();
    const bash = await sb.run(['autocomplete', 'script', 'bash']);
    expect(bash.code, bash.stderr).toBe(0);
    expect(bash.stdout).toContain(`FRAMEWORKS_AC_BASH_SETUP_PATH=${join(cache, 'bash_setup')} && test -f $FRAMEWORKS_AC_BASH_SETUP_PATH && source $FRAMEWORKS_AC_BASH_SETUP_PATH;`);
    const zsh = await sb.run(['autocomplete', 'script', 'zsh']);
    expect(zsh.code, zsh.stderr).toBe(0);
    expect(zsh.stdout).toContain(`FRAMEWORKS_AC_ZSH_SETUP_PATH=${join(cache, 'zsh_setup')}`);
    writeFileSync(join(sb.home, 'bashrc-snippet'), bash.stdout);
    writeFileSync(join(sb.home, 'zshrc-snippet'), zsh.stdout);
  });

  withShell('bash')('the bash scripts pass bash -n', async () => {
    await ensureOclifCache();
    for (const f of [join(cache, 'bash_setup'), join(cache, 'functions', 'bash', 'frameworks.bash')]) {
      const r = sh('bash', ['-n', f]);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
    }
  });

  withShell('zsh')('the zsh scripts pass zsh -n, and the setup line registers _frameworks with compinit', async () => {
    await ensureOclifCache();
    for (const f of [join(cache, 'zsh_setup'), join(cache, 'functions', 'zsh', '_frameworks')]) {
      const r = sh('zsh', ['-n', f]);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
    }
    const snippet = join(sb.home, 'zshrc-snippet');
    if (!existsSync(snippet)) writeFileSync(snippet, (await sb.run(['autocomplete', 'script', 'zsh'])).stdout);
    const r = sh('zsh', ['-f', '-c', 'source "$1" && print -r -- "comp=${_comps[frameworks]}"', 'zsh', snippet]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('comp=_frameworks');
  });

  describe('bash completes (the setup line sourced, the completion function called as bash calls it)', () => {
    let snippet: string;
    beforeAll(async () => {
      await ensureOclifCache();
      snippet = join(sb.home, 'bashrc-snippet-behaviour');
      writeFileSync(snippet, (await sb.run(['autocomplete', 'script', 'bash'])).stdout);
    });

    /** COMP_WORDS = the words typed (the last one is being completed); returns COMPREPLY, deduplicated. */
    function bashComplete(...typed: string[]): string[] {
      const script = [
        'source "$1" || exit 90',
        'shift',
        'spec=$(complete -p frameworks) || exit 91',
        'fn=${spec#*-F }; fn=${fn%% *}',
        'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
        '"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      const r = sh('bash', ['--norc', '--noprofile', '-c', script, 'bash', snippet, ...typed]);
      expect(r.code, r.stderr).toBe(0);
      return words(r.stdout);
    }

    withShell('bash')('registers a completion function for frameworks', () => {
      const r = sh('bash', ['--norc', '--noprofile', '-c', 'source "$1"; complete -p frameworks', 'bash', snippet]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/complete -F \S+ frameworks/);
    });

    withShell('bash')('frameworks con<TAB> → context', () => {
      expect(bashComplete('frameworks', 'con')).toEqual(['context']);
    });

    withShell('bash')('frameworks <TAB> → the top-level commands and topics', () => {
      expect(bashComplete('frameworks', '')).toEqual(expect.arrayContaining(['context', 'auth', 'login', 'autocomplete', 'version']));
    });

    withShell('bash')('frameworks context <TAB> → its subcommands', () => {
      expect(bashComplete('frameworks', 'context', '')).toEqual(expect.arrayContaining(['init', 'set-url', 'check', 'list', 'use']));
    });

    withShell('bash')('frameworks context check --<TAB> → its flags', () => {
      expect(bashComplete('frameworks', 'context', 'check', '--')).toEqual(expect.arrayContaining(['--timeout', '--insecure', '--only', '--json']));
      expect(bashComplete('frameworks', 'context', 'check', '--ti')).toEqual(['--timeout']);
    });

    withShell('bash')('real values: context names, service keys, ~/.ssh/config hosts, profiles, flag values', () => {
      expect(bashComplete('frameworks', 'context', 'use', '')).toEqual(['local', 'prod', 'staging']);
      expect(bashComplete('frameworks', '--context', 'st')).toEqual(['staging']);
      expect(bashComplete('frameworks', 'edge', 'status', '--context', '')).toEqual(['local', 'prod', 'staging']);
      expect(bashComplete('frameworks', 'context', 'set-url', 'g')).toEqual(['gateway']);
      expect(bashComplete('frameworks', 'edge', 'status', '--ssh', '')).toEqual(['edge-ams-1', 'edge-fra-1']);
      expect(bashComplete('frameworks', 'services', 'plan', '--profile', '')).toEqual(expect.arrayContaining(['central-all', 'control-core', 'billing-only']));
      expect(bashComplete('frameworks', 'services', 'plan', '--include', 'pu')).toEqual(['purser']);
      expect(bashComplete('frameworks', 'edge', 'init', '--tls', '')).toEqual(['acme', 'internal']);
    });

    withShell('bash')('a path flag completes files', () => {
      writeFileSync(join(sb.home, 'edge-folder-marker'), '');
      expect(bashComplete('frameworks', 'edge', 'status', '--dir', 'edge-folder')).toEqual(['edge-folder-marker']);
    });
  });
});

describe('fish completion (frameworks autocomplete fish)', () => {
  let fishFile: string;

  beforeAll(() => {
    fishFile = join(sb.baseEnv.XDG_CACHE_HOME!, 'frameworks', 'autocomplete', 'functions', 'fish', 'frameworks.fish');
  });

  /** `complete -C LINE` in a non-interactive fish after sourcing the script; errors from the script fail the test. */
  function fishComplete(line: string): string[] {
    const r = sh('fish', ['--no-config', '-c', 'source $argv[1]; and complete -C $argv[2]', fishFile, line]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr, `fish printed errors completing ${JSON.stringify(line)}`).toBe('');
    return words(r.stdout);
  }

  it('writes the script into the cache and prints how to enable it', async () => {
    const r = await sb.run(['autocomplete', 'fish']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote ~/.cache/frameworks/autocomplete/functions/fish/frameworks.fish');
    expect(r.stdout).toContain(`mkdir -p ~/.config/fish/completions && ln -sf ${fishFile} ~/.config/fish/completions/frameworks.fish`);
    expect(r.stdout).toContain('frameworks <TAB>');
    expect(readFileSync(fishFile, 'utf8')).toMatch(/^# fish completion for frameworks /);
  });

  it('--print prints the same script to stdout, --refresh-cache is silent', async () => {
    const printed = await sb.run(['autocomplete', 'fish', '--print']);
    expect(printed.code, printed.stderr).toBe(0);
    const refreshed = await sb.run(['autocomplete', 'fish', '--refresh-cache']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout).toBe('');
    // Same lines; the order of the flag lines follows plugin load order, which varies between runs.
    const lines = (s: string) => s.split('\n').sort();
    expect(lines(printed.stdout)).toEqual(lines(readFileSync(fishFile, 'utf8')));
    expect(printed.stdout).toContain("complete -c frameworks -f -a '(__frameworks_complete)'");
  });

  withShell('fish')('passes fish --no-execute', () => {
    const r = sh('fish', ['--no-execute', fishFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  withShell('fish')('frameworks con<TAB> → context', () => {
    expect(fishComplete('frameworks con')).toEqual(['context']);
  });

  withShell('fish')('frameworks <TAB> → the top-level commands and topics', () => {
    expect(fishComplete('frameworks ')).toEqual(expect.arrayContaining(['context', 'auth', 'login', 'autocomplete', 'version']));
  });

  withShell('fish')('frameworks context <TAB> → its subcommands', () => {
    expect(fishComplete('frameworks context ')).toEqual(expect.arrayContaining(['init', 'set-url', 'check', 'list', 'use']));
  });

  withShell('fish')('frameworks context check --<TAB> → its flags, also after an option value', () => {
    expect(fishComplete('frameworks context check --')).toEqual(expect.arrayContaining(['--timeout', '--insecure', '--only', '--json']));
    expect(fishComplete('frameworks context check --timeout 5s --')).toEqual(expect.arrayContaining(['--insecure', '--only']));
  });

  withShell('fish')('real values: context names, ~/.ssh/config hosts, catalog profiles, flag values', () => {
    expect(fishComplete('frameworks context use ')).toEqual(['local', 'prod', 'staging']);
    expect(fishComplete('frameworks --context ')).toEqual(['local', 'prod', 'staging']);
    expect(fishComplete('frameworks edge status --ssh edge-')).toEqual(['edge-ams-1', 'edge-fra-1']);
    expect(fishComplete('frameworks services plan --profile ')).toEqual(expect.arrayContaining(['central-all', 'routing-only']));
    expect(fishComplete('frameworks edge init --tls ')).toEqual(['acme', 'internal']);
    expect(fishComplete('frameworks edge logs ')).toEqual(['caddy', 'helmsman', 'mistserver']);
  });

  withShell('fish')('descriptions come along: the current context is marked', () => {
    const r = sh('fish', ['--no-config', '-c', 'source $argv[1]; and complete -C $argv[2]', fishFile, 'frameworks context use ']);
    expect(r.stdout).toMatch(/^local\tcurrent$/m);
  });

  withShell('fish')('frameworks context set-url <TAB> → the service keys, then nothing', () => {
    expect(fishComplete('frameworks context set-url ')).toEqual(expect.arrayContaining(['gateway', 'decklog-grpc', 'signalman-ws']));
    expect(fishComplete('frameworks context set-url gateway ')).not.toContain('gateway');
  });

  withShell('fish')('the printed enable step works: fish autoloads the linked script for a frameworks on PATH', async () => {
    await sb.run(['autocomplete', 'fish', '--refresh-cache']);
    const r = sh('sh', ['-c', `mkdir -p ~/.config/fish/completions && ln -sf ${fishFile} ~/.config/fish/completions/frameworks.fish`]);
    expect(r.code, r.stderr).toBe(0);
    expect(realpathSync(join(sb.baseEnv.XDG_CONFIG_HOME!, 'fish', 'completions', 'frameworks.fish'))).toBe(realpathSync(fishFile));
    // fish autoloads completions only for a command it can find (the frameworks of beforeAll, on PATH).
    const auto = sh('fish', ['-c', 'complete -C $argv[1]', 'frameworks context ']);
    expect(auto.code, auto.stderr).toBe(0);
    expect(words(auto.stdout)).toEqual(expect.arrayContaining(['init', 'set-url', 'check']));
  });
});

describe('zsh completes in a real interactive zsh (pseudo-terminal)', () => {
  /** Type into `zsh -f -i` on a pty (test/support/pty-drive.py), after the printed setup line was sourced. */
  async function zshSession(steps: Array<Record<string, unknown>>): Promise<{ text: string; failed_step: number | null; error: string | null }> {
    await ensureOclifCache();
    const snippet = join(sb.home, 'zshrc-real');
    writeFileSync(snippet, (await sb.run(['autocomplete', 'script', 'zsh'])).stdout);
    const spec = {
      argv: ['zsh', '-f', '-i'],
      cwd: sb.home,
      timeout: 60,
      cols: 120,
      rows: 40,
      steps: [
        { quiet: 0.3, timeout: 10 },
        // The prompt is spelt with escapes, so the echoed command line does not match it.
        { send: `PS1=$'\\x5bready\\x5d '; source ${snippet}\r` },
        { expect: '[ready] ', timeout: 20 },
        ...steps,
        { send: '\u0003' },
        { quiet: 0.5, timeout: 10 },
        { send: 'exit\r' },
        // On a loaded machine zsh has been seen to ignore that exit (the session then idled to its 60 s timeout):
        // close the terminal instead, as a user's window does.
        { sleep: 0.5 },
        { hangup: true },
      ],
    };
    const r = spawnSync(python!, [join(ROOT, 'test', 'support', 'pty-drive.py')], { input: JSON.stringify(spec), encoding: 'utf8', env, timeout: 90_000 });
    const doc = JSON.parse(r.stdout) as { output: string; failed_step: number | null; error: string | null };
    return { ...doc, text: stripAnsi(doc.output) };
  }

  /** Type a line, then TAB on its own once zle has it (typeahead sent with the prompt still drawing can be flushed). */
  const typeThenTab = (text: string) => [{ sleep: 1 }, { send: text }, { sleep: 1 }, { send: '\t' }];

  withShell('zsh')('context use <TAB> lists the contexts, the current one described', async () => {
    const r = await zshSession([...typeThenTab('frameworks context use '), { expect: 'staging', timeout: 20 }]);
    expect(r.failed_step, r.text).toBeNull();
    expect(r.text).toMatch(/local\s+--\s+current/);
    expect(r.text).toContain('prod');
  }, 120_000);

  withShell('zsh')('a unique value is inserted: set-url gat<TAB> → gateway, --ssh edge-a<TAB> → the ~/.ssh/config host', async () => {
    // One session per line: no Ctrl-C and re-typing in between (zsh may flush typeahead after it).
    const key = await zshSession([...typeThenTab('frameworks context set-url gat'), { expect: 'set-url gateway', timeout: 30 }]);
    expect(key.failed_step, key.text).toBeNull();
    const host = await zshSession([...typeThenTab('frameworks edge status --ssh edge-a'), { expect: '--ssh edge-ams-1', timeout: 30 }]);
    expect(host.failed_step, host.text).toBeNull();
  }, 180_000);
});

describe('node ids complete from the context\'s Quartermaster (cached 60 s, never an error)', () => {
  let cp: ControlPlane;
  // A loaded CI machine must not lose the refresh race in the positive checks; the dead-endpoint check keeps the default.
  const slow = { FRAMEWORKS_COMPLETE_NODES_MS: '5000' };
  const complete = (typed: string[], extra: Record<string, string> = slow) => sb.run(['__complete', ...typed], { env: extra });
  const nodeList = () => cp.requestsTo('quartermaster', '/nodes').length;
  const cacheFile = (context: string) => join(sb.frameworksHome, 'complete', `nodes-${context}.json`);

  beforeAll(async () => {
    cp = await startControlPlane();
    cp.addNode({ node_id: 'edge-ams-1', cluster_id: 'central-1', node_type: 'edge', region: 'eu-west' });
    cp.addNode({ node_id: 'edge-nyc-1', cluster_id: 'central-1', node_type: 'edge', region: 'us-east' });
    // prod: the control plane; staging: a dead endpoint (discard port). Both get a service token in the tests.
    for (const [ctx, url] of [['prod', cp.urls.quartermaster], ['staging', 'http://127.0.0.1:9']]) {
      const r = await sb.run(['context', 'set-url', 'quartermaster', url, '--context', ctx]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => cp?.close());

  it('edge drain <TAB>: nothing without a credential (no request); after login the node ids, from --context on the line', async () => {
    const before = await complete(['edge', 'drain', '--context', 'prod', '']);
    expect(before).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(nodeList()).toBe(0);

    const login = await sb.run(['login', '--service-token-stdin', '--context', 'prod'], { input: `${cp.serviceToken}\n` });
    expect(login.code, login.stderr).toBe(0);
    const r = await complete(['edge', 'drain', '--context', 'prod', '']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['edge-ams-1\tedge · eu-west · central-1', 'edge-nyc-1\tedge · us-east · central-1']);
    expect(cp.requestsTo('quartermaster', '/nodes')[0].headers.authorization).toBe(`Bearer ${cp.serviceToken}`);
    // The cache: private, all of it, no secret in it.
    const file = cacheFile('prod');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const doc = readFileSync(file, 'utf8');
    expect(JSON.parse(doc)).toMatchObject({ context: 'prod', nodes: [{ id: 'edge-ams-1' }, { id: 'edge-nyc-1' }] });
    expect(doc).not.toContain(cp.serviceToken);
    expect(words((await complete(['-c', 'prod', 'admin', 'nodes', 'show', 'edge-n'])).stdout)).toEqual(['edge-nyc-1']);
  });

  withShell('fish')('fish: the current context\'s node ids for edge drain, undrain and drain-status', async () => {
    const gen = await sb.run(['autocomplete', 'fish', '--refresh-cache']);
    expect(gen.code, gen.stderr).toBe(0);
    const fishFile = join(sb.baseEnv.XDG_CACHE_HOME!, 'frameworks', 'autocomplete', 'functions', 'fish', 'frameworks.fish');
    for (const verb of ['drain', 'undrain', 'drain-status']) {
      const r = sh('fish', ['--no-config', '-c', 'source $argv[1]; and complete -C $argv[2]', fishFile, `frameworks edge ${verb} `], {
        env: { ...env, ...slow, FRAMEWORKS_CONTEXT: 'prod' },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^edge-ams-1\tedge · eu-west · central-1$/m);
      expect(words(r.stdout)).toEqual(['edge-ams-1', 'edge-nyc-1']);
    }
  });

  withShell('bash')('bash: edge drain --context prod <TAB> → the node ids', async () => {
    await ensureOclifCache();
    const snippet = join(sb.home, 'bashrc-snippet-nodes');
    writeFileSync(snippet, (await sb.run(['autocomplete', 'script', 'bash'])).stdout);
    const script = [
      'source "$1" || exit 90',
      'shift',
      'spec=$(complete -p frameworks) || exit 91',
      'fn=${spec#*-F }; fn=${fn%% *}',
      'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
      '"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = sh('bash', ['--norc', '--noprofile', '-c', script, 'bash', snippet, 'frameworks', 'edge', 'drain', '--context', 'prod', 'edge-'], { env: { ...env, ...slow } });
    expect(r.code, r.stderr).toBe(0);
    expect(words(r.stdout)).toEqual(['edge-ams-1', 'edge-nyc-1']);
  });

  it('the next TAB is served from the cache (control plane stopped: still listed); a stale cache or a dead endpoint: nothing, exit 0', async () => {
    const warm = await complete(['edge', 'undrain', '--context', 'prod', '']);
    expect(words(warm.stdout)).toEqual(['edge-ams-1', 'edge-nyc-1']);
    const asked = nodeList();
    await cp.close();
    const cached = await complete(['edge', 'drain-status', '--context', 'prod', 'edge-a']);
    expect(cached).toMatchObject({ code: 0, stderr: '' });
    expect(words(cached.stdout)).toEqual(['edge-ams-1']);
    expect(nodeList()).toBe(asked);

    // Older than 60 s: asked again, the endpoint is gone, so no candidates and no error text.
    const old = new Date(Date.now() - 120_000);
    utimesSync(cacheFile('prod'), old, old);
    const stale = await complete(['edge', 'drain', '--context', 'prod', ''], {});
    expect(stale).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const login = await sb.run(['login', '--service-token-stdin', '--context', 'staging'], { input: 'svc_dead_endpoint_token_0123456789\n' });
    expect(login.code, login.stderr).toBe(0);
    const dead = await complete(['edge', 'drain', '--context', 'staging', ''], {});
    expect(dead).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(cacheFile('staging'))).toBe(false);
  });
});
