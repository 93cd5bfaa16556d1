import { ExitCode, FrameworksError, usageError } from '../errors.js';
import type { CredentialStore } from '../credentials/store.js';
import { unknownContext } from './resolve.js';
import { CONTEXT_NAME_PATTERN } from './schema.js';
import type { ConfigStore } from './store.js';

export interface RenameResult {
  from: string;
  to: string;
  /** The renamed context was the current one, and still is under its new name. */
  current: boolean;
  credentials_moved: boolean;
}

/**
 * Rename a context in config.yaml and credentials.yaml, all or nothing: both files change under the
 * config lock, the credentials first; when the config cannot be written after all, the credentials
 * are moved back. The current context follows the rename. An existing name is refused.
 */
export async function renameContext(config: ConfigStore, creds: CredentialStore, from: string, to: string): Promise<RenameResult> {
  if (!new RegExp(CONTEXT_NAME_PATTERN).test(to)) {
    throw usageError(`"${to}" is not a valid context name: letters, digits, dot, dash and underscore, at most 63.`, [`frameworks context rename ${from} ${to.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63) || 'new-name'}`], 'INVALID_CONTEXT_NAME');
  }
  let moved = false;
  let current = false;
  try {
    await config.update(async (doc) => {
      if (!doc.contexts[from]) throw unknownContext(from, doc, 'flag', { offerCreate: false, retry: (n) => `frameworks context rename ${n} ${to}` });
      if (from === to) return;
      if (doc.contexts[to]) {
        throw new FrameworksError(`Context "${to}" already exists; nothing was renamed.`, {
          code: 'CONTEXT_EXISTS',
          exitCode: ExitCode.FAILED,
          suggestions: [`frameworks context delete ${to}`, `frameworks context show ${to}`],
        });
      }
      doc.contexts = Object.fromEntries(Object.entries(doc.contexts).map(([k, v]) => [k === from ? to : k, v]));
      if (doc.current === from) {
        doc.current = to;
        current = true;
      }
      moved = await creds.renameContext(from, to);
    });
  } catch (err) {
    if (moved) await creds.renameContext(to, from);
    throw err;
  }
  return { from, to, current, credentials_moved: moved };
}
