import { FrameworksError, ExitCode, configError } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import { withFileLock } from '../fs/lock.js';
import { dumpYaml, readYamlFile } from '../fs/yaml-file.js';
import { frameworksPaths, tildify, type FrameworksPaths } from '../paths.js';
import { endpointProblem, isServiceKey } from './endpoints.js';
import { configSchema, type ConfigFile } from './schema.js';
import { validateDocument } from './validate.js';

export const DEFAULT_CONTEXT = 'local';
const HEADER = '# frameworks CLI configuration. Edit with `frameworks context …`; validated on every load.';

export interface LoadedConfig {
  doc: ConfigFile;
  /** False when no file exists yet: `doc` is then the built-in default (one `local` context). */
  exists: boolean;
  path: string;
}

export function emptyConfig(): ConfigFile {
  return { version: 1, current: DEFAULT_CONTEXT, contexts: { [DEFAULT_CONTEXT]: { endpoints: {} } } };
}

/** Reads, validates and (under a lock) rewrites ~/.frameworks/config.yaml. */
export class ConfigStore {
  readonly paths: FrameworksPaths;

  /** `onWarning` hears about a stale lock (its holder was killed) being taken over. */
  constructor(
    paths: FrameworksPaths = frameworksPaths(),
    private readonly opts: { onWarning?: (message: string) => void } = {},
  ) {
    this.paths = paths;
  }

  private hint(): string[] {
    return [`Fix the key named above in ${tildify(this.paths.config)}`, 'frameworks context init --force   # start over with defaults (overwrites the file)'];
  }

  async load(): Promise<LoadedConfig> {
    const file = await readYamlFile(this.paths.config, this.hint());
    if (!file.exists) return { doc: emptyConfig(), exists: false, path: this.paths.config };
    if (file.data === null || file.data === undefined) {
      throw configError(`${tildify(this.paths.config)} is empty.`, this.hint(), 'CONFIG_EMPTY');
    }
    const doc = await validateDocument<ConfigFile>(configSchema, file.data, this.paths.config, this.hint());
    checkSemantics(doc, this.paths.config, this.hint());
    return { doc, exists: true, path: this.paths.config };
  }

  /**
   * Read-modify-write under the file lock: the file is re-read inside the lock so that
   * concurrent processes never lose each other's change; the result is validated before
   * it replaces the file (temp file + rename), so an invalid edit never reaches disk.
   */
  async update<T>(mutate: (doc: ConfigFile, existed: boolean) => T | Promise<T>): Promise<{ doc: ConfigFile; value: T }> {
    await ensurePrivateDir(this.paths.home);
    return withFileLock(this.paths.config, async () => {
      const { doc, exists } = await this.load();
      const value = await mutate(doc, exists);
      await validateDocument<ConfigFile>(configSchema, doc, this.paths.config, this.hint());
      checkSemantics(doc, this.paths.config, this.hint());
      await writeFileAtomic(this.paths.config, await dumpYaml(doc, HEADER), 0o600);
      return { doc, value };
    }, this.opts);
  }

  /** Replace the file wholesale (context init --force). */
  async replace(doc: ConfigFile): Promise<void> {
    await ensurePrivateDir(this.paths.home);
    await validateDocument<ConfigFile>(configSchema, doc, this.paths.config, this.hint());
    await withFileLock(this.paths.config, async () => writeFileAtomic(this.paths.config, await dumpYaml(doc, HEADER), 0o600), this.opts);
  }
}

/** Checks a schema cannot express: endpoint URLs per kind, `current` naming a context. */
function checkSemantics(doc: ConfigFile, file: string, hint: string[]): void {
  const problems: string[] = [];
  for (const [name, ctx] of Object.entries(doc.contexts)) {
    for (const [key, value] of Object.entries(ctx.endpoints ?? {})) {
      if (!isServiceKey(key) || typeof value !== 'string') continue;
      const problem = endpointProblem(key, value);
      if (problem) problems.push(`contexts.${name}.endpoints.${key}: "${value}" ${problem}`);
    }
  }
  if (doc.current !== undefined && !Object.hasOwn(doc.contexts, doc.current)) {
    problems.push(`current: names context "${doc.current}", which is not defined under contexts`);
  }
  if (problems.length) {
    throw new FrameworksError(`${tildify(file)} is invalid:\n  - ${problems.join('\n  - ')}`, {
      code: 'CONFIG_INVALID',
      exitCode: ExitCode.CONFIG_INVALID,
      suggestions: hint,
      name: 'ConfigError',
    });
  }
}
