import { quoteCommand } from '@frameworks/sdk';
import type { EdgeStack } from '../lib/stack.js';

/** What the caddy container runs: the admin API (localhost:2019 inside it) swaps the config without dropping connections. */
export const CADDY_RELOAD = ['caddy', 'reload', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile'];

export interface ReloadResult {
  ok: boolean;
  exit_code: number;
  /** The command, as run inside the caddy container. */
  command: string;
  /** Caddy's last output lines (it logs to stderr), redacted. */
  output: string;
  duration_ms: number;
}

/** `caddy reload` inside the stack's caddy container (found by its compose labels, v1 or v2). */
export async function reloadCaddy(stack: EdgeStack): Promise<ReloadResult> {
  const { stderrTail } = await import('@frameworks/sdk/compose');
  const started = performance.now();
  const r = await stack.project.exec('caddy', CADDY_RELOAD, { timeoutMs: 30_000 });
  return {
    ok: r.code === 0,
    exit_code: r.code,
    command: quoteCommand(CADDY_RELOAD),
    output: stderrTail([r.stderr, r.stdout].filter(Boolean).join('\n'), 8),
    duration_ms: Math.round(performance.now() - started),
  };
}
