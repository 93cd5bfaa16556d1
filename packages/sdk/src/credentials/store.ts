import { FrameworksError, ExitCode } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic.js';
import { withFileLock } from '../fs/lock.js';
import { dumpYaml, readYamlFile } from '../fs/yaml-file.js';
import { frameworksPaths, tildify, type FrameworksPaths } from '../paths.js';
import { registerSecret } from '../redact.js';
import { credentialsSchema, type ContextCredentials, type CredentialsFile } from '../config/schema.js';
import { validateDocument } from '../config/validate.js';

const HEADER = '# frameworks CLI credentials — secrets. Keep this file 0600; never commit or share it.';

/**
 * JWTs and service tokens, per context, in credentials.yaml (0600 in a 0700 folder), kept
 * apart from config.yaml so that the config can be shared or printed without secrets.
 */
export class CredentialStore {
  readonly paths: FrameworksPaths;

  /** `onWarning` hears about a stale lock (its holder was killed) being taken over. */
  constructor(
    paths: FrameworksPaths = frameworksPaths(),
    private readonly opts: { onWarning?: (message: string) => void } = {},
  ) {
    this.paths = paths;
  }

  private hint(): string[] {
    return [`Fix ${tildify(this.paths.credentials)}, or remove it and run: frameworks login`];
  }

  async load(): Promise<CredentialsFile> {
    const file = await readYamlFile(this.paths.credentials, this.hint());
    if (!file.exists) return { version: 1, contexts: {} };
    if (file.mode !== undefined && (file.mode & 0o077) !== 0) {
      throw new FrameworksError(
        `${tildify(this.paths.credentials)} is readable by other users (mode ${file.mode.toString(8).padStart(4, '0')}); refusing to use the secrets in it. Rotate the tokens it holds if other users could have read them.`,
        {
          code: 'CREDENTIALS_INSECURE',
          exitCode: ExitCode.CONFIG_INVALID,
          name: 'ConfigError',
          suggestions: [`chmod 600 ${this.paths.credentials}`],
        },
      );
    }
    const doc = file.data ?? { version: 1, contexts: {} };
    const valid = await validateDocument<CredentialsFile>(credentialsSchema, doc, this.paths.credentials, this.hint());
    for (const c of Object.values(valid.contexts)) {
      registerSecret(c.service_token);
      registerSecret(c.jwt?.token);
    }
    return valid;
  }

  async get(context: string): Promise<ContextCredentials> {
    return (await this.load()).contexts[context] ?? {};
  }

  /** Locked read-modify-write; an emptied context entry is removed. */
  async update(context: string, mutate: (c: ContextCredentials) => void): Promise<ContextCredentials> {
    await ensurePrivateDir(this.paths.home);
    return withFileLock(this.paths.credentials, async () => {
      const doc = await this.load();
      const entry = doc.contexts[context] ?? {};
      mutate(entry);
      if (entry.jwt === undefined) delete entry.jwt;
      if (entry.service_token === undefined) delete entry.service_token;
      if (Object.keys(entry).length) doc.contexts[context] = entry;
      else delete doc.contexts[context];
      await validateDocument<CredentialsFile>(credentialsSchema, doc, this.paths.credentials, this.hint());
      await writeFileAtomic(this.paths.credentials, await dumpYaml(doc, HEADER), 0o600);
      return entry;
    }, this.opts);
  }

  /** Move a context's credentials to another name (locked, one atomic write); false when it had none. */
  async renameContext(from: string, to: string): Promise<boolean> {
    if (from === to) return false;
    await ensurePrivateDir(this.paths.home);
    return withFileLock(this.paths.credentials, async () => {
      const doc = await this.load();
      const entry = doc.contexts[from];
      if (!entry) return false;
      // Same position in the file; an entry already under the new name (left by a deleted context) is replaced.
      doc.contexts = Object.fromEntries(Object.entries(doc.contexts).flatMap(([k, v]) => (k === to ? [] : [[k === from ? to : k, v]])));
      await validateDocument<CredentialsFile>(credentialsSchema, doc, this.paths.credentials, this.hint());
      await writeFileAtomic(this.paths.credentials, await dumpYaml(doc, HEADER), 0o600);
      return true;
    }, this.opts);
  }

  async removeContext(context: string): Promise<boolean> {
    let had = false;
    await this.update(context, (c) => {
      had = c.jwt !== undefined || c.service_token !== undefined;
      delete c.jwt;
      delete c.service_token;
    });
    return had;
  }
}
