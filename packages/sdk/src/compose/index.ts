/**
 * @frameworks/sdk/compose — Docker Compose over an Executor (local or SSH), v2 or v1.
 *
 *   const project = await ComposeProject.open({ executor, name: 'edge', workingDir: '/opt/edge',
 *     files: ['docker-compose.edge.yml'], envFile: '.edge.env' });
 *   await project.up({ removeOrphans: true, wait: { timeoutMs: 120_000 } });
 *   const before = await project.imageDigests();   // refs@digests, for a rollback
 *   await project.logs({ services: ['helmsman'], follow: true, onLine: (l) => print(l.text), signal });
 */
export { detectCompose, versionAtLeast } from './detect.js';
export { ComposeProject, readiness } from './project.js';
export type { ComposeProjectOptions, ExecOptions, LogsOptions, LogsResult, Readiness, UpOptions, WaitOptions } from './project.js';
export { classify, ENGINE_FIX, engineAddress, engineUnreachable, failure, reasonOf, stderrTail, withReason } from './errors.js';
export type { FailureKind } from './errors.js';
export { LineSplitter, parseComposeLogLine, serviceOfPrefix } from './logs.js';
export { digestFor, imageRefsOf, inspectArgs, parseInspect, parsePsIds, parsePsListing, repositoryOf } from './ps.js';
export type { ListedContainer } from './ps.js';
export type * from './types.js';
