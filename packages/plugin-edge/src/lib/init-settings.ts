import { configError, endpointEnvVar, endpointProblem, grpcTarget, usageError, type ResolvedEndpoint } from '@frameworks/sdk';
import type { ResolvedRelease } from '../release/manifest.js';
import type { EdgeSettings } from './edge-settings.js';
import {
  TLS_MODES,
  defaultNodeName,
  isEnvSafe,
  validateBind,
  validateDomain,
  validateEmail,
  validateNodeName,
  validatePorts,
  validateProject,
  validateShmSize,
  validateToken,
  type TlsMode,
} from './validate-input.js';

/** The nofile limit real edge hosts need (SCOPE: Host Tuning Targets). */
export const RECOMMENDED_NOFILE = 1_048_576;

export interface InitInput {
  domain: string;
  email?: string;
  token?: string;
  tls: string;
  nodeName?: string;
  shmSize: string;
  nofile: number;
  bind: string;
  httpPort: number;
  httpsPort: number;
  project: string;
}

export interface InitWarning {
  code: string;
  message: string;
}

function foghornEndpoints(grpc: ResolvedEndpoint, http: ResolvedEndpoint): EdgeSettings['foghorn'] {
  const check = (key: 'foghorn-grpc' | 'foghorn-http', e: ResolvedEndpoint) => {
    const problem = endpointProblem(key, e.value) ?? (isEnvSafe(e.value) ? undefined : 'contains a character that cannot go into .edge.env');
    if (problem) {
      const from = e.source === 'env' ? endpointEnvVar(key) : e.source === 'config' ? 'the context' : e.source;
      throw configError(`The ${key} endpoint ${JSON.stringify(e.value)} (from ${from}) ${problem}.`, [`frameworks context set-url ${key} <address>`], 'INVALID_URL');
    }
  };
  check('foghorn-grpc', grpc);
  check('foghorn-http', http);
  const target = grpcTarget(grpc.value);
  return { controlAddr: target.address, httpBase: http.value, tls: target.tls };
}

/** Validate every flag and combine them with the context and the release into template settings. */
export function resolveInitSettings(
  input: InitInput,
  endpoints: { 'foghorn-grpc': ResolvedEndpoint; 'foghorn-http': ResolvedEndpoint },
  release: ResolvedRelease,
): { settings: EdgeSettings; warnings: InitWarning[] } {
  const warnings: InitWarning[] = [];
  if (!(TLS_MODES as readonly string[]).includes(input.tls)) {
    throw usageError(`--tls "${input.tls}" is not one of ${TLS_MODES.join(', ')}.`, ['--tls acme', '--tls internal'], 'INVALID_TLS');
  }
  const tls = input.tls as TlsMode;
  const domain = validateDomain(input.domain, tls);
  for (const note of domain.notes) warnings.push({ code: 'DOMAIN_NORMALISED', message: note });

  let email = '';
  if (input.email !== undefined) email = validateEmail(input.email);
  else if (tls === 'acme') {
    throw usageError('--email is required with --tls acme: the certificate authority sends expiry and account notices there.', ['e.g. --email ops@example.com', 'Or use a self-signed certificate: --tls internal'], 'MISSING_EMAIL');
  }
  const token = validateToken(input.token ?? '');
  if (!token) {
    warnings.push({
      code: 'NO_ENROLLMENT_TOKEN',
      message: 'No enrollment token was given, so Helmsman cannot enroll until EDGE_ENROLLMENT_TOKEN is set in .edge.env (re-run with --token-stdin --force, or edit the file).',
    });
  }
  const nodeName = input.nodeName !== undefined ? validateNodeName(input.nodeName) : defaultNodeName(domain);
  const mistShmSize = validateShmSize(input.shmSize);
  if (!Number.isInteger(input.nofile) || input.nofile < 1024 || input.nofile > 1_073_741_816) {
    throw usageError(`--nofile ${input.nofile} is out of range (1024 … 1073741816).`, [`e.g. --nofile ${RECOMMENDED_NOFILE}`], 'INVALID_NOFILE');
  }
  if (input.nofile < RECOMMENDED_NOFILE) {
    warnings.push({ code: 'NOFILE_BELOW_RECOMMENDED', message: `nofile ${input.nofile} is below the ${RECOMMENDED_NOFILE} a production edge needs.` });
  }
  const bind = validateBind(input.bind);
  validatePorts(input.httpPort, input.httpsPort);
  const project = validateProject(input.project);
  const foghorn = foghornEndpoints(endpoints['foghorn-grpc'], endpoints['foghorn-http']);
  const foghornHost = foghorn.controlAddr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (/^(localhost|127\.\d+\.\d+\.\d+|::1)$/i.test(foghornHost)) {
    warnings.push({
      code: 'FOGHORN_LOCALHOST',
      message: `FOGHORN_CONTROL_ADDR is ${foghorn.controlAddr}: inside the helmsman container that is the container itself. Point the context at an address the edge host can reach: frameworks context set-url foghorn-grpc <host:port>`,
    });
  }
  if (release.warning) warnings.push(release.warning);

  return {
    settings: {
      domain: domain.domain,
      domainKind: domain.kind,
      email,
      tls,
      token,
      nodeName,
      foghorn,
      release: { channel: release.channel, ...(release.version ? { version: release.version } : {}), refs: release.refs, allowedUnpinned: release.allowedUnpinned },
      mistShmSize,
      nofile: input.nofile,
      bind,
      httpPort: input.httpPort,
      httpsPort: input.httpsPort,
      project,
    },
    warnings,
  };
}
