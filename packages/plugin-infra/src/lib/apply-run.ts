import { interruptedError } from '@frameworks/cli-kit';
import { registerSecret, writeInfraRecord, type InfraOutput } from '@frameworks/sdk';
import type { StreamResult, Terraform } from '../driver/terraform.js';

/**
 * After Ctrl-C the binary was sent SIGINT once and exited by itself (lock released, state written):
 * exit 130 naming what was done and what may have been created (apply_start seen, apply_complete not).
 */
export function interruptedApply(verb: string, tenant: string, res: StreamResult, retry: string) {
  const maybe = res.tracker.maybeChanged();
  const done = res.tracker.done();
  const list = (xs: Array<{ address: string; action: string }>) => xs.map((x) => `${x.address} (${x.action})`).join(', ');
  return interruptedError(
    `Interrupted: ${verb} of tenant ${tenant} stopped after the binary finished what was in flight and released the state lock.` +
      ` Done: ${done.length ? list(done) : 'nothing'}.` +
      ` May have been created or changed (started, never reported complete): ${maybe.length ? list(maybe) : 'none'}.`,
    {
      result: { tenant, completed: done, maybe_changed: maybe, binary_exit_code: res.code },
      suggestions: [`${retry.replace(/^frameworks infra \w+/, 'frameworks infra plan')}   # see what is left to do`],
    },
  );
}

/** The outputs after an apply, kept for the hand-off (hosts inventory, context create --from-infra); sensitive ones masked. */
export async function recordOutputs(tf: Terraform, tenant: string, retry: string): Promise<Record<string, InfraOutput>> {
  const outputs = await tf.outputs(retry);
  for (const o of Object.values(outputs)) if (o.sensitive) registerSecret(typeof o.value === 'string' ? o.value : JSON.stringify(o.value));
  const { leaves } = await import('../driver/plan-summary.js');
  for (const o of Object.values(outputs)) if (o.sensitive) for (const v of leaves(o.value)) registerSecret(v);
  await writeInfraRecord(tenant, outputs);
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { ...o, value: o.sensitive ? null : o.value }]));
}
