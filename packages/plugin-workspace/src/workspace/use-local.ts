import { join } from 'node:path';
import type { Executor, FileWrite } from '@frameworks/sdk';

/** What `use-local` changed, kept beside the stack so that `--release` puts back exactly those refs. */
export const RECORD_FILE = '.frameworks-use-local.json';

export interface Swap {
  file: string;
  component: 'helmsman' | 'mistserver';
  from: string;
  to: string;
}

export interface UseLocalRecord {
  version: 1;
  swaps: Swap[];
}

const IMAGE_LINE = /^(\s*-?\s*image:\s*)(["']?)([^"'\s#]+)\2(\s*(?:#.*)?)$/;
const ENV_LINE = /^(HELMSMAN_IMAGE|MISTSERVER_IMAGE)=(["']?)([^"'\s]*)\2\s*$/;

/** helmsman or mistserver, from an image reference's repository name (tag and digest ignored). */
export function componentOf(ref: string): Swap['component'] | undefined {
  const repo = ref.split('@')[0].replace(/:[^/:]*$/, '');
  const last = repo.split('/').at(-1) ?? '';
  if (/helmsman/.test(last)) return 'helmsman';
  if (/mistserver/.test(last)) return 'mistserver';
  return undefined;
}

/** Every image: line and *_IMAGE= value naming Helmsman or MistServer becomes the local ref; returns the new text and the swaps. */
export function pointAtLocal(file: string, text: string, local: Partial<Record<Swap['component'], string>>): { text: string; swaps: Swap[] } {
  const swaps: Swap[] = [];
  const lines = text.split('\n').map((line) => {
    const img = IMAGE_LINE.exec(line);
    const env = img ? undefined : ENV_LINE.exec(line);
    const ref = img?.[3] ?? env?.[3];
    if (!ref) return line;
    const component = env ? (env[1] === 'HELMSMAN_IMAGE' ? 'helmsman' : 'mistserver') : componentOf(ref);
    const to = component && local[component];
    if (!component || !to || to === ref) return line;
    swaps.push({ file, component, from: ref, to });
    return img ? `${img[1]}${img[2]}${to}${img[2]}${img[4]}` : `${env![1]}=${env![2]}${to}${env![2]}`;
  });
  return { text: lines.join('\n'), swaps };
}

/** The swaps of the record undone, line by line: only a line still naming the local ref goes back. */
export function restore(text: string, swaps: Swap[]): string {
  return text
    .split('\n')
    .map((line) => {
      for (const s of swaps) {
        if ((IMAGE_LINE.test(line) || ENV_LINE.test(line)) && line.includes(s.to)) return line.replace(s.to, s.from);
      }
      return line;
    })
    .join('\n');
}

/** The stack files of an edge folder, or the svc-*.yml fragments of a services plan folder. */
export async function stackFilesOf(ex: Executor, kind: 'edge' | 'services', dir: string): Promise<string[]> {
  if (kind === 'edge') return [join(dir, 'docker-compose.edge.yml'), join(dir, '.edge.env')];
  const r = await ex.run(['ls', '-1', dir]);
  return r.stdout
    .split('\n')
    .filter((f) => /^svc-.+\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

export interface UseLocalPlan {
  writes: FileWrite[];
  swaps: Swap[];
  record: string;
}

export async function planUseLocal(ex: Executor, kind: 'edge' | 'services', dir: string, local: Partial<Record<Swap['component'], string>>): Promise<UseLocalPlan> {
  const files = await stackFilesOf(ex, kind, dir);
  const record = join(dir, RECORD_FILE);
  const prior = await readRecord(ex, record);
  const writes: FileWrite[] = [];
  const swaps: Swap[] = [...(prior?.swaps ?? [])];
  for (const f of files) {
    const text = await ex.readFile(f).catch(() => undefined);
    if (text === undefined) continue;
    const next = pointAtLocal(f, text, local);
    if (!next.swaps.length) continue;
    writes.push({ path: f, content: next.text, mode: f.endsWith('.env') ? 0o600 : 0o644 });
    // A second use-local keeps the first `from`: --release goes back to what the stack had before any.
    for (const s of next.swaps) {
      const earlier = swaps.find((p) => p.file === s.file && p.to === s.from);
      if (earlier) earlier.to = s.to;
      else swaps.push(s);
    }
  }
  if (writes.length) writes.push({ path: record, content: JSON.stringify({ version: 1, swaps } satisfies UseLocalRecord, null, 2) + '\n', mode: 0o644 });
  return { writes, swaps, record };
}

export async function readRecord(ex: Executor, path: string): Promise<UseLocalRecord | undefined> {
  const text = await ex.readFile(path).catch(() => undefined);
  if (!text) return undefined;
  try {
    const doc = JSON.parse(text) as UseLocalRecord;
    return Array.isArray(doc.swaps) ? doc : undefined;
  } catch {
    return undefined;
  }
}
