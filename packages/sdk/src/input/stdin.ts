import { usageError } from '../errors.js';
import { registerSecret } from '../redact.js';

export interface StdinSecretOptions {
  /** The flag that asked for it, e.g. `--token-stdin`. */
  flag: string;
  /** What is read, e.g. `enrollment token`, `password`. */
  what: string;
  /** A runnable example, e.g. `printf %s "$TOKEN" | frameworks edge enroll --token-stdin`. */
  example: string;
  /** More suggestions after the example (e.g. the flag that takes the value directly). */
  alternatives?: string[];
  /** For tests: the stream to read (default process.stdin). */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * The one reader of secrets piped on stdin (tokens, passwords): refuses a terminal (the secret
 * would echo), reads to the end, keeps the first line without its line ending (as `docker login
 * --password-stdin`), refuses an empty value, and registers the value for redaction at once.
 */
export async function readStdinSecret(opts: StdinSecretOptions): Promise<string> {
  const input = opts.input ?? process.stdin;
  if (input.isTTY) {
    throw usageError(`${opts.flag} reads the ${opts.what} from stdin, but stdin is a terminal.`, [opts.example, ...(opts.alternatives ?? [])], 'STDIN_IS_TTY');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const value = Buffer.concat(chunks).toString('utf8').split('\n')[0].replace(/\r$/, '');
  if (value === '') throw usageError(`${opts.flag}: stdin was empty, no ${opts.what} was read.`, [opts.example], 'EMPTY_STDIN');
  registerSecret(value);
  return value;
}
