/**
 * One error type for the whole CLI. Every failure a user can see carries a stable
 * UPPER_SNAKE code, an exit code from the documented table, and runnable suggestions.
 */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_AUTHENTICATED: 3,
  CONFIG_INVALID: 4,
  FORBIDDEN: 5,
  NETWORK: 6,
  /** infra plan --detailed-exitcode: changes are pending (CI drift checks); not 2, which is a usage error. */
  CHANGES_PENDING: 8,
  INTERNAL: 10,
  PARTIAL: 68,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface FrameworksErrorOptions {
  code: string;
  exitCode?: number;
  suggestions?: string[];
  cause?: unknown;
  /** Partial result to include in the --json failure document. */
  result?: unknown;
  name?: string;
  /** What the tool itself said (the last lines of its stderr): the `detail` of the --json error. Inherited from `cause`. */
  detail?: string;
}

export class FrameworksError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly suggestions: string[];
  readonly result?: unknown;
  readonly detail?: string;
  /** Duck-typing marker: plugins installed by users carry their own copy of the SDK. */
  readonly isFrameworksError = true;

  constructor(message: string, options: FrameworksErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = options.name ?? 'FrameworksError';
    this.code = options.code;
    this.exitCode = options.exitCode ?? ExitCode.FAILED;
    this.suggestions = options.suggestions ?? [];
    if (options.result !== undefined) this.result = options.result;
    // A re-wrapped tool failure keeps the tool's own words.
    const detail = options.detail ?? (options.cause as { detail?: unknown } | undefined)?.detail;
    if (typeof detail === 'string' && detail) this.detail = detail;
  }
}

export function isFrameworksError(err: unknown): err is FrameworksError {
  return typeof err === 'object' && err !== null && (err as { isFrameworksError?: unknown }).isFrameworksError === true;
}

export const usageError = (message: string, suggestions: string[] = [], code = 'USAGE'): FrameworksError =>
  new FrameworksError(message, { code, exitCode: ExitCode.USAGE, suggestions, name: 'UsageError' });

export const configError = (message: string, suggestions: string[] = [], code = 'CONFIG_INVALID', cause?: unknown): FrameworksError =>
  new FrameworksError(message, { code, exitCode: ExitCode.CONFIG_INVALID, suggestions, name: 'ConfigError', cause });

export const authError = (message: string, suggestions: string[] = [], code = 'NOT_AUTHENTICATED'): FrameworksError =>
  new FrameworksError(message, { code, exitCode: ExitCode.NOT_AUTHENTICATED, suggestions, name: 'AuthError' });

export const networkError = (message: string, suggestions: string[] = [], code = 'NETWORK', cause?: unknown): FrameworksError =>
  new FrameworksError(message, { code, exitCode: ExitCode.NETWORK, suggestions, name: 'NetworkError', cause });
