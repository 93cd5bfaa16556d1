import { posix } from 'node:path';
import { ExitCode, FrameworksError, usageError, type Executor } from '@frameworks/sdk';
import type { ComposeProject } from '@frameworks/sdk/compose';
import { DEFAULT_PROJECT, ENV_FILE, FRAGMENT_RE, fragmentName, sha256 } from './fragments.js';
import { listFragments, readIfExists, readPlan } from './write-plan.js';
import { splitList } from './selection.js';

export interface ServiceList {
  services: string[];
  /** Where the list came from (spec §8 ResolveServiceList). */
  source: 'only' | 'plan' | 'fragments';
  project: string;
  /** Fragments whose content no longer has the sha256 plan.yaml recorded. */
  edited: string[];
}

/**
 * Spec §8: --only, else plan.yaml services, else the svc-*.yml files. Every service must have its
 * fragment in dir (an --only name without one → exit 2 with the list of planned services).
 */
export async function resolveServiceList(executor: Executor, dir: string, only: string[] | undefined, projectFlag?: string): Promise<ServiceList> {
  const plan = await readPlan(executor, dir);
  const present = (await listFragments(executor, dir)).map((f) => FRAGMENT_RE.exec(f)![1]);
  const onlyList = [...new Set(splitList(only).map((n) => (present.includes(n) ? n : present.includes(n.replace(/-/g, '_')) ? n.replace(/-/g, '_') : n)))];
  let services: string[];
  let source: ServiceList['source'];
  if (onlyList.length) {
    const unknown = onlyList.filter((n) => !present.includes(n));
    if (unknown.length) {
      throw usageError(`No fragment for ${unknown.map((n) => `"${n}"`).join(', ')} in ${dir}. Planned services: ${present.join(', ') || '(none)'}.`, [present.length ? `--only ${present.join(',')}` : `frameworks services plan --dir ${dir}`], 'UNKNOWN_SERVICE');
    }
    services = onlyList;
    source = 'only';
  } else if (plan?.services.length) {
    services = plan.services;
    source = 'plan';
    const missing = services.filter((s) => !present.includes(s));
    if (missing.length) {
      throw new FrameworksError(`plan.yaml in ${dir} lists ${missing.join(', ')}, but ${missing.map(fragmentName).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`, {
        code: 'SERVICES_FRAGMENT_MISSING',
        exitCode: ExitCode.FAILED,
        suggestions: [`frameworks services plan --dir ${dir} --profile ${plan.profile ?? 'central-all'}   # write the plan again`],
      });
    }
  } else {
    services = present;
    source = 'fragments';
  }
  if (!services.length) {
    throw new FrameworksError(`No services planned in ${dir}: no plan.yaml and no svc-*.yml.`, {
      code: 'SERVICES_NO_PLAN',
      exitCode: ExitCode.FAILED,
      suggestions: [`frameworks services plan --dir ${dir}`, 'Or point --dir at the plan folder'],
    });
  }
  const edited: string[] = [];
  for (const s of services) {
    const recorded = plan?.fragments?.[fragmentName(s)];
    if (!recorded) continue;
    const text = await readIfExists(executor, posix.join(dir, fragmentName(s)));
    if (text !== undefined && sha256(text) !== recorded) edited.push(fragmentName(s));
  }
  return { services, source, project: projectFlag ?? plan?.project ?? DEFAULT_PROJECT, edited };
}

/** One Compose project over the selected fragments, with --env-file .central.env when it exists. */
export async function openProject(executor: Executor, dir: string, list: ServiceList): Promise<ComposeProject> {
  const { ComposeProject } = await import('@frameworks/sdk/compose');
  const hasEnv = await executor.exists(posix.join(dir, ENV_FILE));
  return ComposeProject.open({
    executor,
    name: list.project,
    workingDir: dir,
    files: list.services.map(fragmentName),
    ...(hasEnv ? { envFile: ENV_FILE } : {}),
  });
}

