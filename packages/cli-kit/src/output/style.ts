/**
 * Human output styling. Colour only when the stream is a TTY, NO_COLOR is unset and TERM is
 * not dumb; the ✓/⚠/✗ marks stay in plain text so that logs and pipes keep the meaning.
 */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] } as const;
type Style = keyof typeof codes;

export function paint(text: string, style: Style, stream: NodeJS.WriteStream = process.stdout): string {
  if (!colorEnabled(stream)) return text;
  const [open, close] = codes[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export const marks = {
  ok: (s: NodeJS.WriteStream = process.stdout) => paint('✓', 'green', s),
  warn: (s: NodeJS.WriteStream = process.stdout) => paint('⚠', 'yellow', s),
  fail: (s: NodeJS.WriteStream = process.stdout) => paint('✗', 'red', s),
};

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
