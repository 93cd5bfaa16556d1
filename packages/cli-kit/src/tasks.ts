import type { ListrTask } from 'listr2';

export interface TaskRenderContext {
  json: boolean;
  verbose: boolean;
  interactive: boolean;
}

export type RendererName = 'silent' | 'verbose' | 'default' | 'simple';

/** silent under --json, verbose under --verbose/DEBUG, animated on an interactive TTY, plain lines otherwise. */
export function chooseRenderer(ctx: TaskRenderContext): RendererName {
  if (ctx.json) return 'silent';
  if (ctx.verbose || process.env.DEBUG) return 'verbose';
  return ctx.interactive && process.stderr.isTTY ? 'default' : 'simple';
}

/**
 * Run a listr2 pipeline with the renderer chosen by `chooseRenderer`, drawing on stderr so that
 * stdout carries only results. `exitOnError: false` suits fan-out over hosts (collect and report).
 */
export async function runTasks<Ctx extends object>(
  tasks: ListrTask<Ctx>[],
  render: TaskRenderContext,
  opts: { concurrent?: boolean | number; exitOnError?: boolean; ctx?: Ctx } = {},
): Promise<Ctx> {
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  const renderer = chooseRenderer(render);
  // Every renderer draws through a logger; bind it to stderr so stdout carries only results.
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const rendererOptions = { logger };
  const list = new Listr<Ctx, RendererName, 'simple'>(tasks, {
    renderer,
    fallbackRenderer: 'simple',
    fallbackRendererCondition: !render.interactive,
    silentRendererCondition: render.json,
    concurrent: opts.concurrent ?? false,
    exitOnError: opts.exitOnError ?? true,
    collectErrors: 'minimal' as never,
    registerSignalListeners: false, // Ctrl-C is handled once, in bin/run.js (exit 130)
    rendererOptions,
    fallbackRendererOptions: rendererOptions,
    ctx: opts.ctx,
  } as never);
  return list.run();
}
