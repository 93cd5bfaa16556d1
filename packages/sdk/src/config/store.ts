import { configError } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import { withFileLock } from '../fs/lock.js';
import { dumpYaml, readYamlFile } from '../fs/yaml-file.js';
import { frameworksPaths, tildify, type FrameworksPaths } from '../paths.js';
import { repairCommands, repairs, schemaProblems, semanticProblems, type ConfigRepair } from './problems.js';
import { configSchema, type ConfigFile } from './schema.js';
import { schemaErrors } from './validate.js';

export const DEFAULT_CONTEXT = 'local';
const HEADER = '# frameworks CLI configuration. Edit with `frameworks context …`; validated on every load.';

export interface LoadedConfig {
  doc: ConfigFile;
  /** False when no file exists yet: `doc` is then the built-in default (one `local` context). */
  exists: boolean;
  path: string;
}

/** What a command replaces, or how to find it in the file as read (it may be invalid, so check what you read). */
export type RepairOption = ConfigRepair | ((data: ConfigFile) => ConfigRepair | undefined);

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

  /**
   * `repair` names the part the caller is about to replace (set-url: one endpoint; context delete:
   * one context): problems only there do not stop the load, so the command that fixes them can run.
   */
  async load(opts: { repair?: RepairOption } = {}): Promise<LoadedConfig> {
    const file = await readYamlFile(this.paths.config, this.hint());
    if (!file.exists) return { doc: emptyConfig(), exists: false, path: this.paths.config };
    if (file.data === null || file.data === undefined) {
      throw configError(`${tildify(this.paths.config)} is empty.`, this.hint(), 'CONFIG_EMPTY');
    }
    const repair = typeof opts.repair === 'function' ? opts.repair(file.data as ConfigFile) : opts.repair;
    const doc = await this.check(file.data, repair);
    return { doc, exists: true, path: this.paths.config };
  }

  /** Schema first, then what a schema cannot say (URL schemes per service, `current`); exit 4 listing every problem. */
  private async check(data: unknown, repair?: ConfigRepair): Promise<ConfigFile> {
    const problems = [...schemaProblems(await schemaErrors(configSchema, data), data), ...semanticProblems(data as ConfigFile)];
    if (problems.some((p) => !repairs(repair, p))) {
      const messages = [...new Set(problems.map((p) => p.message))];
      throw configError(`${tildify(this.paths.config)} is invalid:\n  - ${messages.join('\n  - ')}`, [...repairCommands(problems), ...this.hint()]);
    }
    return data as ConfigFile;
  }

  /**
   * Read-modify-write under the file lock: the file is re-read inside the lock so that
   * concurrent processes never lose each other's change; the result is validated before
   * it replaces the file (temp file + rename), so an invalid edit never reaches disk.
   */
  async update<T>(
    mutate: (doc: ConfigFile, existed: boolean) => T | Promise<T>,
    opts: { repair?: RepairOption } = {},
  ): Promise<{ doc: ConfigFile; value: T }> {
    await ensurePrivateDir(this.paths.home);
    return withFileLock(this.paths.config, async () => {
      const { doc, exists } = await this.load(opts);
      const value = await mutate(doc, exists);
      await this.check(doc);
      await writeFileAtomic(this.paths.config, await dumpYaml(doc, HEADER), 0o600);
      return { doc, value };
    }, this.opts);
  }

  /** Replace the file wholesale (context init --force). */
  async replace(doc: ConfigFile): Promise<void> {
    await ensurePrivateDir(this.paths.home);
    await this.check(doc);
    await withFileLock(this.paths.config, async () => writeFileAtomic(this.paths.config, await dumpYaml(doc, HEADER), 0o600), this.opts);
  }
}
