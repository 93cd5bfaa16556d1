import { readFile, stat } from 'node:fs/promises';
import { configError } from '../errors.js';
import { tildify } from '../paths.js';

export interface LoadedYaml {
  exists: boolean;
  data: unknown;
  mode?: number;
}

/** Read and parse a YAML file; a syntax error names the file, line and column (exit 4). */
export async function readYamlFile(path: string, hint: string[]): Promise<LoadedYaml> {
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mode & 0o777)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, data: undefined };
    throw configError(`Cannot read ${tildify(path)}: ${(err as Error).message}`, hint, 'CONFIG_UNREADABLE', err);
  }
  const yaml = await import('js-yaml');
  try {
    const data = yaml.load(text, { filename: path });
    return { exists: true, data, mode };
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number } };
    const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
    throw configError(`${tildify(path)} is not valid YAML${where}: ${e.reason ?? (err as Error).message}`, hint, 'CONFIG_MALFORMED', err);
  }
}

export async function dumpYaml(data: unknown, header?: string): Promise<string> {
  const yaml = await import('js-yaml');
  const body = yaml.dump(data, { lineWidth: 120, noRefs: true, sortKeys: false });
  return header ? `${header}\n${body}` : body;
}
