import type { TaskRenderContext } from '@frameworks/cli-kit/tasks';
import { escapeControl, redact } from '@frameworks/sdk';
import type { StreamHooks } from '../driver/terraform.js';
import { progressLine, type UiEvent } from '../driver/ui-events.js';

/** listr2 draws past the command's output functions: redact, and escape what the binary sent. */
const safe = (text: string) => escapeControl(redact(text));

/**
 * One listr2 task (on stderr; silent under --json) for a -json run of the binary, its output the
 * per-resource lines as they arrive (`aws_vpc.main: Creating...`, `… Creation complete after 2s`);
 * a line of a type this CLI does not know shows its @message.
 */
export async function withLiveProgress<R>(title: string, render: TaskRenderContext, run: (hooks: StreamHooks) => Promise<R>, interrupt?: AbortSignal): Promise<R> {
  const { runTasks } = await import('@frameworks/cli-kit/tasks');
  let result!: R;
  await runTasks(
    [
      {
        title,
        rendererOptions: { persistentOutput: true, outputBar: 8 },
        task: async (_ctx, task) => {
          const show = (e: UiEvent) => {
            const line = progressLine(e);
            if (line) task.output = safe(line);
          };
          result = await run({ onEvent: show, onText: (l) => (task.output = safe(l)), ...(interrupt ? { interrupt } : {}) });
        },
      },
    ],
    render,
  );
  return result;
}
