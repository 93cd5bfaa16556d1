import { inputRequired, interrupted, type PromptContext } from '@frameworks/cli-kit';
import { usageError } from '@frameworks/sdk';
import { servicesByRole, type Catalog } from './catalog.js';
import { profileOf, type Selection } from './selection.js';

type EnquirerPrompt = (q: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function ask<T>(question: Record<string, unknown>): Promise<T> {
  const { default: Enquirer } = (await import('enquirer')) as unknown as { default: { prompt: EnquirerPrompt } };
  try {
    const answer = await Enquirer.prompt({ stdout: process.stderr, ...question, name: 'value' });
    return answer.value as T;
  } catch (err) {
    if (err === '' || err === undefined || (err instanceof Error && err.message === '')) throw interrupted();
    throw err;
  }
}

/** Multi-select choices: a separator per role (sorted), then the role's services (sorted) with their titles. */
export function multiSelectChoices(catalog: Catalog): Array<Record<string, unknown>> {
  return servicesByRole(catalog).flatMap(({ role, services }) => [
    { role: 'separator', message: `── ${role} ──` },
    ...services.map((name) => ({ name, message: name, hint: catalog.services[name].title })),
  ]);
}

/**
 * --interactive: pick a preset (a profile, or keep the selection the flags gave), then toggle
 * services in a multi-select grouped by role. The profile becomes "custom" when the result
 * matches no profile. Without a terminal → exit 2 naming the flags that answer instead.
 */
export async function chooseInteractively(catalog: Catalog, start: Selection, ctx: PromptContext): Promise<Selection> {
  if (!ctx.interactive) throw inputRequired('services plan --interactive', '--profile, --include and --exclude instead of --interactive');
  const presets = Object.keys(catalog.profiles);
  const preset = await ask<string>({
    type: 'select',
    message: 'Start from',
    choices: [
      { name: 'current', message: `current selection (${start.profile}: ${start.services.length} services)` },
      ...presets.map((p) => ({ name: p, message: p, hint: catalog.profiles[p].join(', ') })),
    ],
  });
  const initial = preset === 'current' ? start.services : catalog.profiles[preset];
  const picked = await ask<string[]>({
    type: 'multiselect',
    message: 'Services (space toggles, enter confirms)',
    choices: multiSelectChoices(catalog),
    // enquirer preselects through `initial` (names), not through a choice's `enabled`.
    initial: [...initial],
  });
  const services = [...new Set(picked)].filter((n) => Object.hasOwn(catalog.services, n)).sort();
  if (!services.length) throw usageError('No service selected.', ['Select at least one service (space toggles)'], 'EMPTY_SELECTION');
  return { profile: profileOf(catalog, services), services };
}
