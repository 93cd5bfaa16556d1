import { ExitCode, FrameworksError, type Executor } from '@frameworks/sdk';

/** Terraform ≥ 1.6 and OpenTofu ≥ 1.6 share the machine-readable UI and plan formats the driver reads. */
export const MIN_VERSION = '1.6.0';

export interface TerraformBinary {
  /** What runs: the --binary value or the name found on PATH. */
  path: string;
  kind: 'terraform' | 'tofu';
  version: string;
}

const INSTALL = 'Install Terraform ≥ 1.6 (https://developer.hashicorp.com/terraform/install) or OpenTofu ≥ 1.6 (https://opentofu.org/docs/intro/install/)';

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** `terraform`, else `tofu`, on the PATH of the executor's host (`--binary` overrides); its version must be ≥ 1.6. */
export async function findBinary(executor: Executor, override: string | undefined, retry: string, cwd?: string): Promise<TerraformBinary> {
  const where = executor.name === 'local' ? '' : ` on ${executor.name}`;
  let path = override;
  if (!path) {
    const r = await executor.run(['sh', '-c', 'command -v terraform || command -v tofu']);
    path = r.code === 0 ? r.stdout.trim().split('\n')[0] : undefined;
  }
  const missing = () =>
    new FrameworksError(
      override
        ? `--binary ${override} cannot be run${where}. ${INSTALL}, or name the binary with --binary.`
        : `Neither terraform nor tofu is on the PATH${where}. ${INSTALL}, or name the binary with --binary.`,
      { code: 'TERRAFORM_NOT_FOUND', exitCode: ExitCode.FAILED, suggestions: [`${retry} --binary /usr/local/bin/terraform`, `${retry} --binary /usr/local/bin/tofu`] },
    );
  if (!path) throw missing();
  const r = await executor.run([path, 'version', '-json'], cwd ? { cwd } : {}).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'EACCES') throw missing();
    throw err;
  });
  // 127/126: the remote shell could not find or run it.
  if (r.code === 127 || r.code === 126) throw missing();
  let version: string | undefined;
  try {
    version = (JSON.parse(r.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    version = undefined;
  }
  if (r.code !== 0 || !version) {
    throw new FrameworksError(`${path} version -json${where} did not say its version (exit ${r.code}): Terraform or OpenTofu ≥ ${MIN_VERSION} answers it.`, {
      code: 'TERRAFORM_VERSION_UNKNOWN',
      exitCode: ExitCode.FAILED,
      suggestions: [`${path} version -json`],
    });
  }
  const kind = /tofu/i.test(path.split('/').pop() ?? '') ? 'tofu' : 'terraform';
  if (compareVersions(version, MIN_VERSION) < 0) {
    throw new FrameworksError(`${path}${where} is ${kind === 'tofu' ? 'OpenTofu' : 'Terraform'} ${version}; frameworks infra supports ${MIN_VERSION} and newer.`, {
      code: 'TERRAFORM_TOO_OLD',
      exitCode: ExitCode.FAILED,
      suggestions: [`${retry} --binary /path/to/terraform-${MIN_VERSION}-or-newer`],
    });
  }
  return { path, kind, version };
}
