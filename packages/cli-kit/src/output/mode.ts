/**
 * How this run prints: set once by the base command from `-o/--output`, `--json`, `-q/--quiet`,
 * read by the table renderer and the progress helper (render modules have no command to ask).
 */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'wide', 'json', 'yaml'];

export interface OutputMode {
  format: OutputFormat;
  quiet: boolean;
}

let mode: OutputMode = { format: 'table', quiet: false };

export function setOutputMode(next: Partial<OutputMode>): void {
  mode = { ...mode, ...next };
}

export function outputMode(): OutputMode {
  return mode;
}

/**
 * The width a table must fit, or undefined for the full table. Full: `-o wide`, and off a terminal
 * (pipe, file), where every run prints the same columns, untruncated, for scripts.
 * On a terminal: its width (COLUMNS when the terminal reports none), 80 as a last resort.
 */
export function tableWidth(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (mode.format === 'wide' || !stream.isTTY) return undefined;
  const columns = stream.columns || Number.parseInt(env.COLUMNS ?? '', 10);
  return Number.isFinite(columns) && columns > 0 ? Math.max(columns, 20) : 80;
}
