import { readFile, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { frameworksHome } from '../paths.js';

/** The file `name` resolves to on PATH (the first executable one), or undefined: no process started. */
export async function findOnPath(name: string, path = process.env.PATH ?? ''): Promise<{ file: string; key: string } | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    const st = await stat(file).catch(() => undefined);
    if (st?.isFile() && st.mode & 0o111) return { file, key: `${file}|${st.size}|${Math.round(st.mtimeMs)}` };
  }
  return undefined;
}

/**
 * `<tool> --version` answers, remembered per executable (path, size, mtime) in
 * $FRAMEWORKS_HOME/cache/tool-versions.json: a status that asks nine tools starts none of the ones
 * it has asked before (meson alone takes ~0.2 s to say its version). A replaced binary is asked again.
 */
export class ToolVersionCache {
  private entries: Record<string, string> = {};
  private dirty = false;
  private constructor(private readonly file: string) {}

  static async open(home = frameworksHome()): Promise<ToolVersionCache> {
    const c = new ToolVersionCache(join(home, 'cache', 'tool-versions.json'));
    try {
      const doc = JSON.parse(await readFile(c.file, 'utf8')) as unknown;
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) c.entries = doc as Record<string, string>;
    } catch {
      // Missing or garbled: asked again, written anew.
    }
    return c;
  }

  get(key: string): string | undefined {
    return Object.hasOwn(this.entries, key) ? this.entries[key] : undefined;
  }

  set(key: string, output: string): void {
    this.entries[key] = output;
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 }).catch(() => undefined);
    await writeFileAtomic(this.file, JSON.stringify(this.entries, null, 1) + '\n', 0o600).catch(() => undefined);
  }
}
