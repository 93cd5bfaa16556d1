import { registerSecret, usageError } from '@frameworks/sdk';

/** Read a secret piped on stdin (first line, trimmed); refuses a terminal so nothing echoes. */
export async function readStdinSecret(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw usageError(`--${what.replace(' ', '-')}-stdin expects the ${what} piped in, not typed at a terminal.`, [
      `printf %s "$SECRET" | frameworks … --${what.replace(' ', '-')}-stdin`,
    ], 'STDIN_IS_TTY');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const value = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0].trim();
  registerSecret(value);
  return value;
}
