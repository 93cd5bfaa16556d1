/**
 * POSIX shell quoting: a token is left alone only when it is made of safe characters; otherwise
 * it is wrapped in single quotes with each ' written as '\''. Used to build the one remote command
 * line SSH needs, and to display commands. Nothing a user typed is ever pasted unquoted.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function quoteCommand(argv: string[]): string {
  return argv.map(quoteArg).join(' ');
}
