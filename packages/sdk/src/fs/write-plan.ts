import type { WriteFailure } from './write-errors.js';

/** One file of a transaction: where it goes and what it holds. */
export interface FileWrite {
  path: string;
  content: string;
  /** Default 0644. */
  mode?: number;
}

/** A target after symlinks are followed (a link is written through to its target and stays a link). */
export interface Target {
  path: string;
  real: string;
  kind: 'file' | 'missing' | 'other';
}

export interface Inspection {
  targets: Target[];
  /** Folders that do not exist yet, parents first. */
  missingDirs: string[];
  /** Temp and backup files of the writer found next to the targets (stale or not: the caller decides). */
  sideFiles: string[];
  /** Leftovers of the writers this one replaced, already judged stale where they live (age, pid). */
  legacyTemps: string[];
}

export interface Entry {
  real: string;
  tmp: string;
  bak: string;
  existed: boolean;
  content: string;
  mode: number;
}

/** A failure inside a backend, before it becomes a user-facing error. */
export class StepFailure extends Error {
  constructor(
    readonly failure: WriteFailure,
    readonly index: number,
    readonly reason: string,
    readonly untouched: boolean,
    readonly lost: Array<{ path: string; backup: string }> = [],
  ) {
    super(reason);
  }
}

export interface Backend {
  inspect(paths: string[]): Promise<Inspection>;
  /** Remove stale side files, create the missing folders, write and fsync every temp file; on failure undo all of it. */
  stage(entries: Entry[], o: { stale: string[]; createDirs: string[] }): Promise<{ dirsCreated: string[] }>;
  /** Keep a backup name of each existing target, rename every temp into place; on failure put back what was replaced. */
  commit(entries: Entry[]): Promise<void>;
  /** After a failed commit or stage: remove the folders this run created (empty ones only). */
  removeDirs(dirs: string[]): Promise<void>;
}

/** Testing only: runs before the rename of entry `index` (throw to simulate a failure half way). */
export interface WriteHooks {
  beforeRename?(index: number, path: string): void | Promise<void>;
}
