/** Where a command runs: this host (LocalExecutor) or a remote one (SshExecutor, edge issue). */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Data for stdin. */
  input?: string;
  /** Kill the command after this long; the run then rejects with code TIMEOUT (exit 6). */
  timeoutMs?: number;
  /** Called with each chunk as it arrives (streaming, e.g. logs --follow). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  signal?: AbortSignal;
  /**
   * Graceful stop: when it aborts, SIGINT is sent to the command once and the run goes on until the
   * command exits by itself (terraform finishes in-flight work and releases its state lock).
   */
  interrupt?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The command as it was run, quoted, for --verbose and error messages. */
  display: string;
}

export interface Executor {
  /** Human name: "local" or "user@host:port". */
  readonly name: string;
  /** Run argv[0] with argv[1..]; arguments are never interpreted by a shell. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string, mode?: number): Promise<void>;
  exists(path: string): Promise<boolean>;
  close(): Promise<void>;
}
