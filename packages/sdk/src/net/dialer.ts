/**
 * How a run reaches the control plane (issue 8). `direct` connects from this machine; a jump host
 * (`--via`, a context's `via`) forwards each host:port through one SSH connection per run, with the
 * name resolved on the far side. HTTP, GraphQL and gRPC clients take a Dialer and never know which.
 */
export interface Dialer {
  /** "direct" or "via ops@bastion:22": what `--verbose`, `context show` and `context check` print. */
  readonly describe: string;
  /** True when calls go through a jump host. */
  readonly tunnelled: boolean;
  /**
   * A local address that reaches `host:port` as seen from where the calls run. Direct: the same
   * host and port. Through a jump host: 127.0.0.1 and a forwarded port (one per target, reused).
   * TLS clients keep the original host for SNI and certificate checks.
   */
  forward(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Ends the tunnel (idempotent); direct: nothing. */
  close(): Promise<void>;
}

export const directDialer: Dialer = {
  describe: 'direct',
  tunnelled: false,
  forward: async (host, port) => ({ host, port }),
  close: async () => undefined,
};
