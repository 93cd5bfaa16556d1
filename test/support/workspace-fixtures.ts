import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './docker.js';

const run = promisify(execFile);
const GIT_ID = ['-c', 'user.email=test@frameworks.local', '-c', 'user.name=Test'];

export const MODULE = 'github.com/Livepeer-FrameWorks/monorepo';

/** The monorepo as far as workspace mode needs it: the sidecar laid out as upstream's, a dev compose, the secrets example. */
export function monorepoFiles(goDirective = '1.19', extraImport = ''): Record<string, string> {
  return {
    'api_sidecar/go.mod': `module ${MODULE}/api_sidecar\n\ngo ${goDirective}\n\nrequire ${MODULE}/pkg v0.0.0\n\nreplace ${MODULE}/pkg => ../pkg\n`,
    'api_sidecar/cmd/helmsman/main.go': `package main

import (
	"fmt"
	"os"
${extraImport ? `\t_ "${extraImport}"\n` : ''}
	"${MODULE}/pkg/version"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		select {}
	}
	fmt.Printf("Version=%s\\nGitCommit=%s\\nBuildDate=%s\\nComponentName=%s\\nComponentVersion=%s\\n",
		version.Version, version.GitCommit, version.BuildDate, version.ComponentName, version.ComponentVersion)
}
`,
    'api_sidecar/Dockerfile': 'FROM scratch\nCOPY api_sidecar/go.mod /go.mod\n',
    'pkg/go.mod': `module ${MODULE}/pkg\n\ngo 1.19\n`,
    'pkg/version/version.go':
      'package version\n\nvar (\n\tVersion          = "dev"\n\tGitCommit        = "unknown"\n\tBuildDate        = "unknown"\n\tComponentName    = "unknown"\n\tComponentVersion = "unknown"\n)\n',
    'docker-compose.yml': `services:
  helmsman:
    image: livepeerframeworks/helmsman:latest
    build:
      context: .
      dockerfile: api_sidecar/Dockerfile
    init: true
    env_file: config/env/secrets.env
  mistserver:
    image: livepeerframeworks/mistserver:latest
    init: true
    volumes:
      - mistdata:/data
volumes:
  mistdata: {}
`,
    'config/env/secrets.env.example': 'FW_TEST_SECRET=change-me\n',
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    // Upstream's `make env` runs scripts/env (Go); the stand-in writes .env from the secrets the same way.
    Makefile: 'env:\n\tcp config/env/secrets.env .env\n',
    'pnpm-workspace.yaml': 'packages:\n  - website_application\n',
  };
}

/** A meson C++ project standing in for MistServer: a WITH_AV boolean (libav, not distributable) and RELEASE. */
export function mistFiles(): Record<string, string> {
  return {
    'meson.build': `project('mistserver', 'cpp', version: '3.0')
deps = []
if get_option('WITH_AV')
  foreach lib : ['libavcodec', 'libavformat', 'libavutil']
    deps += dependency(lib)
  endforeach
endif
executable('MistController', 'main.cpp', dependencies: deps,
  cpp_args: ['-DRELEASE="' + get_option('RELEASE') + '"'], install: true)
`,
    'meson_options.txt':
      "option('WITH_AV', type: 'boolean', value: false, description: 'Build a generic libav-based input (not distributable!)')\n" +
      "option('RELEASE', type: 'string', value: 'Generic_x86_64', description: 'Release name')\n",
    'main.cpp': '#include <cstdio>\nint main() { std::printf("MistController release %s\\n", RELEASE); return 0; }\n',
    'Dockerfile.mistserver': 'FROM scratch\nARG MIST_OPTS\nARG RELEASE\nCOPY meson.build /meson.build\n',
  };
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  }
}

export async function git(cwd: string, args: string[]): Promise<string> {
  return (await run('git', [...GIT_ID, ...args], { cwd })).stdout;
}

/** A bare repository `<root>/<name>.git` with `files` committed on main. */
export async function bareRepo(root: string, name: string, files: Record<string, string>): Promise<string> {
  const src = join(root, `${name}-src`);
  writeTree(src, files);
  await git(src, ['init', '-q', '-b', 'main']);
  await git(src, ['add', '-A']);
  await git(src, ['commit', '-qm', 'initial']);
  await git(src, ['tag', 'v0.9.0']);
  const bare = join(root, `${name}.git`);
  await git(root, ['clone', '-q', '--bare', src, bare]);
  rmSync(src, { recursive: true, force: true });
  return bare;
}

export interface GitDaemon {
  url(name: string): string;
  stop(): void;
}

/** `git daemon` on loopback serving every bare repository under `base`. */
export async function gitDaemon(base: string): Promise<GitDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn('git', ['daemon', `--base-path=${base}`, '--export-all', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, base], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('git daemon did not start')), 10_000);
    const probe = async () => {
      try {
        await run('git', ['ls-remote', `git://127.0.0.1:${port}/monorepo.git`]);
        clearTimeout(t);
        resolve();
      } catch {
        setTimeout(probe, 50);
      }
    };
    void probe();
  });
  return { url: (name) => `git://127.0.0.1:${port}/${name}.git`, stop: () => child.kill('SIGTERM') };
}

export function tempRoot(prefix = 'fw-ws-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
