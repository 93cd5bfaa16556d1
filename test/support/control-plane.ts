/**
 * In-process stand-in for the FrameWorks control plane, for the CLI's end-to-end tests.
 *
 * Follows /work/shared/contracts/control-plane.md: §1 (auth), §2 (/health), §4.1 (MVP login through the
 * Gateway → Commodore), §4.4 (HEAD login: token only in the access_token cookie), §8 (error shapes).
 * Every service gets its own HTTP listener on 127.0.0.1 with an ephemeral port, as the real services
 * have one port each; the Gateway really proxies /auth/* to the Commodore listener over HTTP, so
 * Commodore errors and faults pass through it exactly as at MVP.
 *
 * Only node:http / node:net / node:crypto: the server must not depend on the code it tests.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { installBridge, type BridgeControls } from './bridge-head.ts';

// ---------------------------------------------------------------------------------------------------
// Public types and contract constants
// ---------------------------------------------------------------------------------------------------

export const SERVICES = [
  'gateway',
  'quartermaster',
  'control',
  'foghorn-http',
  'periscope-query',
  'periscope-ingest',
  'purser',
  'signalman',
] as const;
export type ServiceName = (typeof SERVICES)[number];
/** Keys of `urls`: the context field names, with Signalman as its WebSocket URL. */
export type UrlKey = Exclude<ServiceName, 'signalman'> | 'signalman-ws';

export type HealthState = 'healthy' | 'degraded' | 'unhealthy';
export type LoginMode = 'mvp' | 'head';

export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; code: number; body?: unknown }
  | { kind: 'garbage' }
  | { kind: 'reset' }
  | { kind: 'hang' };

export interface FaultOptions {
  /** Only requests whose path equals this string (or matches this RegExp); default: every path. */
  path?: string | RegExp;
  /** How many requests the fault applies to; default unlimited. */
  times?: number;
}

export interface RecordedRequest {
  service: ServiceName;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string including the leading `?`, or ''. */
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface JwtClaims {
  user_id?: string;
  tenant_id?: string;
  email?: string;
  role?: string;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface UserSpec {
  email: string;
  password: string;
  id?: string;
  tenant_id?: string;
  role?: string;
  active?: boolean;
  verified?: boolean;
  /** Marks the user's tenant as a provider (quartermaster.tenants.is_provider, contract §1.4). */
  is_provider?: boolean;
  first_name?: string;
  last_name?: string;
  permissions?: string[];
  platform_operator?: boolean;
}

export interface StoredUser {
  email: string;
  password: string;
  id: string;
  tenant_id: string;
  role: string;
  active: boolean;
  verified: boolean;
  is_provider: boolean;
  first_name: string;
  last_name: string;
  permissions: string[] | null;
  platform_operator: boolean;
  created_at: string;
}

export interface AuthKeys {
  jwtSecret: string;
  serviceToken: string;
}

/** Result of the MVP JWT middleware (contract §1.3). */
export type AuthOutcome =
  | { ok: true; kind: 'jwt' | 'service'; claims: JwtClaims }
  | { ok: false; status: 401; body: { error: string } };

export interface RouteContext {
  service: ServiceName;
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  /** Values of `:name` segments of the route pattern. */
  params: Record<string, string>;
  body: string;
  /** Set when the route was registered with `{ auth: true }`. */
  auth?: Extract<AuthOutcome, { ok: true }>;
}

/** What a handler answers; `undefined` means the handler wrote the response itself. */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: OutgoingHttpHeaders;
}
export type RouteHandler = (ctx: RouteContext) => Reply | undefined | Promise<Reply | undefined>;

export interface ControlPlaneOptions {
  /** Fixed ports per service (the demo uses the contract's defaults); unset = any free port. */
  ports?: Partial<Record<ServiceName, number>>;
  /** 'mvp' (default): JWT in the login body. 'head': Bridge behaviour, JWT only as the access_token cookie. */
  loginMode?: LoginMode;
  /** HS256 secret (JWT_SECRET); default random. */
  jwtSecret?: string;
  /** SERVICE_TOKEN; default random. */
  serviceToken?: string;
  /** Login JWT lifetime; default 24 h at MVP, 15 min at HEAD (contract §1.1). */
  jwtTtlSeconds?: number;
  /** `version` of the /health body. */
  version?: string;
  users?: UserSpec[];
  /** Commodore's MVP list quirk (contract §4.2): `GET /developer/tokens` always `{"tokens":null,"count":0}`. */
  developerTokenListQuirk?: boolean;
  /** Foghorn: how many viewers leave a draining/maintenance node per second (default 20). */
  drainViewersPerSecond?: number;
}

export interface ControlPlane {
  readonly urls: Record<UrlKey, string>;
  readonly ports: Record<ServiceName, number>;
  readonly requests: RecordedRequest[];
  readonly jwtSecret: string;
  readonly serviceToken: string;
  readonly loginMode: LoginMode;
  readonly jwtTtlSeconds: number;
  addUser(spec: UserSpec): StoredUser;
  findUser(email: string): StoredUser | undefined;
  isProviderTenant(tenantId: string): boolean;
  setHealth(service: ServiceName, state: HealthState): void;
  setCommodoreDown(down: boolean): void;
  inject(service: ServiceName, fault: Fault, opts?: FaultOptions): () => void;
  clearFaults(): void;
  /** Requests of one service, optionally one path. */
  requestsTo(service: ServiceName, path?: string): RecordedRequest[];
  /** Health back to healthy, no faults, Commodore up, empty request log (users are kept). */
  reset(): void;
  signJwt(claims: JwtClaims, opts?: { secret?: string; ttlSeconds?: number }): string;
  authenticate(req: { headers: IncomingHttpHeaders }): AuthOutcome;
  route(service: ServiceName, method: string, pattern: string, handler: RouteHandler, opts?: { auth?: boolean }): void;
  close(): Promise<void>;
  // --- Quartermaster / Commodore / Foghorn data (contract §3.1, §4.2, §5.2) ---
  /** Marks a tenant as a provider (quartermaster.tenants.is_provider) without a user. */
  addProviderTenant(tenantId: string): void;
  addCluster(spec: ClusterSpec): Record<string, unknown>;
  addNode(spec: NodeSpec): Record<string, unknown>;
  addServiceInstance(spec: ServiceInstanceSpec): StoredServiceInstance;
  /** Foghorn: the node's current viewer count (creates Foghorn state in mode `normal` for an unknown id). */
  setViewers(nodeId: string, viewers: number): void;
  readonly bootstrapTokens: ReadonlyArray<Record<string, unknown>>;
  readonly developerTokens: ReadonlyArray<StoredDeveloperToken>;
  /** Empties the Quartermaster, Commodore token and Foghorn stores (users and provider tenants are kept). */
  clearData(): void;
  /** Today's Gateway: GraphQL (always) and the device-code flow / token validation (head login mode). */
  readonly bridge: BridgeControls;
}

export interface ClusterSpec {
  cluster_id: string;
  cluster_name?: string;
  cluster_type?: string;
  base_url?: string;
  /** Tenant that owns the cluster (the MVP list never fills `owner_tenant_id`; used for tenant scoping). */
  owner_tenant_id?: string;
  /** Tenants with active access (tenant scoping of /services/health and /service-discovery). */
  access?: string[];
  is_active?: boolean;
  health_status?: string;
}

export interface NodeSpec {
  node_id: string;
  cluster_id: string;
  node_name?: string;
  node_type?: string;
  region?: string;
  external_ip?: string;
  internal_ip?: string;
  status?: string;
  health_score?: number;
  tags?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface ServiceInstanceSpec {
  service_id: string;
  /** Catalog `services.name` matched by `/service-discovery?type=`; default: service_id. */
  type?: string;
  cluster_id: string;
  instance_id?: string;
  node_id?: string;
  protocol?: 'http' | 'grpc';
  host?: string;
  port?: number;
  version?: string;
  health_endpoint?: string;
  /** Instance status (`running`, `starting`, `stopped`); default running. */
  status?: string;
  /** `healthy` | `unhealthy` | `unknown`; default healthy. */
  health_status?: string;
  /** Seconds since the last health check; default 5 (QM's health list drops > 180 s). */
  last_health_check_age_s?: number;
}

export interface StoredServiceInstance {
  spec: Required<Pick<ServiceInstanceSpec, 'service_id' | 'cluster_id'>> & ServiceInstanceSpec;
  id: string;
  instance_id: string;
  created_at: string;
  last_health_check_ms: number;
}

export interface StoredDeveloperToken {
  id: string;
  user_id: string;
  token_value: string;
  token_name: string;
  permissions: string[];
  expires_at: string | null;
  created_at: string;
  active: boolean;
}

/** Identity the middleware assigns to SERVICE_TOKEN callers (contract §1.3). */
export const SERVICE_ACCOUNT: Readonly<JwtClaims> = Object.freeze({
  user_id: '00000000-0000-0000-0000-000000000000',
  tenant_id: '00000000-0000-0000-0000-000000000001',
  email: 'service@internal',
  role: 'service',
});

export const AUTH_ERRORS = {
  missing: 'No authorization header',
  malformed: 'Invalid authorization header',
  invalid: 'Invalid JWT token',
} as const;

export const LOGIN_ERRORS = {
  invalidCredentials: 'Invalid credentials',
  deactivated: 'Account is deactivated',
  unverified: 'Please verify your email address before logging in. Check your inbox for the verification email.',
  gatewayUpstreamDown: 'Service temporarily unavailable',
  // HEAD Bridge (contract §4.4)
  headInvalidCredentials: 'invalid credentials',
  headUnverified: 'email not verified',
  headUpstreamDown: 'authentication service temporarily unavailable',
} as const;

/** Go's zero time.Time in JSON. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** `service` field of each /health body (the names the Go services register). */
const HEALTH_SERVICE_NAME: Record<ServiceName, string> = {
  gateway: 'gateway',
  quartermaster: 'quartermaster',
  control: 'commodore',
  'foghorn-http': 'foghorn',
  'periscope-query': 'periscope-query',
  'periscope-ingest': 'periscope-ingest',
  purser: 'purser',
  signalman: 'signalman',
};

const JSON_TYPE = 'application/json; charset=utf-8';
const MVP_TTL_SECONDS = 24 * 60 * 60;
const HEAD_TTL_SECONDS = 15 * 60;
const REFRESH_TTL_SECONDS = 30 * 24 * 60 * 60;
/** A JSON content type with a body cut short, as a crashing proxy or server would leave it. */
const GARBAGE_BODY = '{"status":"healthy","service":';

// ---------------------------------------------------------------------------------------------------
// JWT (HS256, as the Go services use; HS384/HS512 also verify since golang-jwt accepts the HMAC family)
// ---------------------------------------------------------------------------------------------------

const HMAC_HASH: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** Claims of a valid token, else undefined (bad shape, alg, signature, or exp/nbf not satisfied). */
export function verifyJwt(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = parseJsonObject(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const hash = typeof header?.alg === 'string' ? HMAC_HASH[header.alg] : undefined;
  if (!hash) return undefined;
  const expected = createHmac(hash, secret).update(`${parts[0]}.${parts[1]}`).digest();
  const actual = Buffer.from(parts[2], 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const claims = parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8')) as JwtClaims | undefined;
  if (!claims) return undefined;
  if (!numericDateOk(claims.exp, (exp) => nowSeconds < exp)) return undefined;
  if (!numericDateOk(claims.nbf, (nbf) => nowSeconds >= nbf)) return undefined;
  return claims;
}

function numericDateOk(value: unknown, ok: (n: number) => boolean): boolean {
  if (value === undefined) return true;
  return typeof value === 'number' && ok(value);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Auth middleware (contract §1.3)
// ---------------------------------------------------------------------------------------------------

/**
 * MVP `JWTAuthMiddleware`: JWT first, then SERVICE_TOKEN. The header is split on single spaces and
 * must be exactly two parts, so `Bearer  x` (two spaces) or a bare `Bearer` is malformed.
 */
export function authenticate(req: { headers: IncomingHttpHeaders }, keys: AuthKeys): AuthOutcome {
  const header = req.headers.authorization;
  if (!header) return deny(AUTH_ERRORS.missing);
  const parts = header.split(' ');
  if (parts.length !== 2 || parts[0] !== 'Bearer') return deny(AUTH_ERRORS.malformed);
  const token = parts[1];
  const claims = verifyJwt(token, keys.jwtSecret);
  if (claims) return { ok: true, kind: 'jwt', claims };
  if (keys.serviceToken && constantTimeEqual(token, keys.serviceToken)) return { ok: true, kind: 'service', claims: { ...SERVICE_ACCOUNT } };
  return deny(AUTH_ERRORS.invalid);
}

function deny(error: string): AuthOutcome {
  return { ok: false, status: 401, body: { error } };
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

// ---------------------------------------------------------------------------------------------------
// Gin-like request binding for the login body (contract §4.1: 400 carries the validator text)
// ---------------------------------------------------------------------------------------------------

type LoginBinding = { ok: true; email: string; password: string } | { ok: false; error: string };

/** go-playground/validator's `email` tag, simplified: dot-atom local part, at least two domain labels. */
const LOCAL_PART = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const GO_EMAIL = new RegExp(`^${LOCAL_PART}@(?:${LABEL}\\.)+${LABEL}\\.?$`);

/** `c.ShouldBindJSON(&models.LoginRequest{})` with `binding:"required,email"` / `binding:"required"`. */
export function bindLoginRequest(raw: string): LoginBinding {
  const struct = 'LoginRequest';
  if (raw.trim() === '') return { ok: false, error: 'EOF' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: goSyntaxError(raw) };
  }
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    return { ok: false, error: `json: cannot unmarshal ${goJsonKind(value)} into Go value of type models.${struct}` };
  }
  const obj = (value ?? {}) as Record<string, unknown>;
  const fields: Record<'email' | 'password', string> = { email: '', password: '' };
  for (const name of ['email', 'password'] as const) {
    const v = goField(obj, name);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      return { ok: false, error: `json: cannot unmarshal ${goJsonKind(v)} into Go struct field ${struct}.${name} of type string` };
    }
    fields[name] = v;
  }
  const failures: string[] = [];
  if (fields.email === '') failures.push(validatorText(struct, 'Email', 'required'));
  else if (!GO_EMAIL.test(fields.email)) failures.push(validatorText(struct, 'Email', 'email'));
  if (fields.password === '') failures.push(validatorText(struct, 'Password', 'required'));
  return failures.length ? { ok: false, error: failures.join('\n') } : { ok: true, ...fields };
}

function validatorText(struct: string, field: string, tag: string): string {
  return `Key: '${struct}.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`;
}

/** encoding/json matches object keys to struct tags case-insensitively when there is no exact match. */
function goField(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : obj[key];
}

function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // number, string, object
}

/** An approximation of encoding/json's syntax errors: right for the common cases, not a full parser. */
function goSyntaxError(raw: string): string {
  const text = raw.trim();
  const first = text[0];
  if (!/[{["\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
  const afterBrace = text.slice(1).trim()[0];
  if (first === '{' && afterBrace !== undefined && afterBrace !== '"' && afterBrace !== '}') {
    return `invalid character '${afterBrace}' looking for beginning of object key string`;
  }
  return 'unexpected EOF';
}

// ---------------------------------------------------------------------------------------------------
// Small formatting helpers
// ---------------------------------------------------------------------------------------------------

/** Go's time.Duration.String() for durations below one minute (all /health latencies are). */
export function goDuration(nanos: number): string {
  const ns = Math.max(0, Math.round(nanos));
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return fixedPoint(ns, 1e3, 3) + 'µs';
  if (ns < 1e9) return fixedPoint(ns, 1e6, 6) + 'ms';
  return fixedPoint(ns, 1e9, 9) + 's';
}

function fixedPoint(value: number, unit: number, digits: number): string {
  const whole = Math.floor(value / unit);
  const frac = String(value % unit).padStart(digits, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** RFC3339Nano as Go prints it: UTC `Z`, fractional seconds with trailing zeros trimmed. */
export function rfc3339Nano(epochMs: number, subMillisNanos = Number(process.hrtime.bigint() % 1_000_000n)): string {
  const iso = new Date(epochMs).toISOString(); // 2025-09-09T18:00:00.123Z
  const frac = (iso.slice(20, 23) + String(subMillisNanos).padStart(6, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

function randomBetween(min: number, max: number): number {
  return Math.floor(min + Math.random() * (max - min));
}

// ---------------------------------------------------------------------------------------------------
// /health (contract §2)
// ---------------------------------------------------------------------------------------------------

interface CheckResult {
  status: string;
  message: string;
  latency: string;
}

/** Body and HTTP status of GET /health; keys in Go's order (struct fields, then sorted map keys). */
export function healthReply(service: string, version: string, state: HealthState): { status: number; body: Record<string, unknown> } {
  const config: CheckResult = { status: 'healthy', message: 'All required configuration present', latency: goDuration(randomBetween(1_000, 5_000)) };
  const database = databaseCheck(state);
  return {
    status: state === 'unhealthy' ? 503 : 200,
    body: { status: state, service, version, timestamp: Math.floor(Date.now() / 1000), checks: { config, database } },
  };
}

function databaseCheck(state: HealthState): CheckResult {
  switch (state) {
    case 'healthy':
      return { status: 'healthy', message: 'Database connection successful', latency: goDuration(randomBetween(300_000, 3_000_000)) };
    case 'degraded':
      return { status: 'degraded', message: 'Database responding slowly', latency: goDuration(randomBetween(250_000_000, 900_000_000)) };
    case 'unhealthy':
      return {
        status: 'unhealthy',
        message: 'Database ping failed: dial tcp 127.0.0.1:5432: connect: connection refused',
        latency: goDuration(randomBetween(100_000, 900_000)),
      };
  }
}

// ---------------------------------------------------------------------------------------------------
// Response helpers
// ---------------------------------------------------------------------------------------------------

function writeJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function writeText(res: ServerResponse, status: number, text: string, contentType: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function writeReply(res: ServerResponse, reply: Reply): void {
  if (reply.text !== undefined) writeText(res, reply.status, reply.text, 'text/plain; charset=utf-8', reply.headers);
  else if (reply.json !== undefined) writeJson(res, reply.status, reply.json, reply.headers);
  else if (!res.destroyed && !res.headersSent) {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end();
  }
}

/** Gin's NoRoute answer: plain text, exactly `404 page not found`. */
function writeGinNotFound(res: ServerResponse): void {
  writeText(res, 404, '404 page not found', 'text/plain');
}

/** Gin's RedirectTrailingSlash: 301 for GET, 307 otherwise, HTML body only for GET/HEAD (net/http Redirect). */
function writeGinRedirect(res: ServerResponse, method: string, location: string): void {
  const status = method === 'GET' ? 301 : 307;
  if (method === 'GET' || method === 'HEAD') {
    writeText(res, status, `<a href="${location}">${STATUS_CODES[status]}</a>.\n\n`, 'text/html; charset=utf-8', { location });
  } else {
    writeReply(res, { status, headers: { location } });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
  });
}

function cookie(name: string, value: string, maxAge: number, httpOnly: boolean): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAge}; ${httpOnly ? 'HttpOnly; ' : ''}SameSite=Lax`;
}

// ---------------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------------

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
  auth: boolean;
}

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

function matchRoute(route: Route, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = route.segments[i];
    if (want.startsWith(':') && segments[i] !== '') params[want.slice(1)] = decodeURIComponent(segments[i]);
    else if (want !== segments[i]) return undefined;
  }
  return params;
}

function toggleTrailingSlash(path: string): string | undefined {
  if (path === '/') return undefined;
  return path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
}

interface ArmedFault {
  service: ServiceName;
  fault: Fault;
  path?: string | RegExp;
  remaining: number;
}

/** Gateway routes forwarded to Commodore at MVP (contract §4.1), with the Commodore path they hit. */
const MVP_GATEWAY_PROXY: Array<{ method: string; pattern: string; upstream: (path: string) => string }> = [
  ...['login', 'register', 'logout', 'refresh', 'forgot-password', 'reset-password'].map((name) => ({
    method: 'POST',
    pattern: `/auth/${name}`,
    upstream: (path: string) => path,
  })),
  { method: 'GET', pattern: '/auth/me', upstream: (path: string) => path },
  // ⚠ The MVP Gateway forwards the literal route pattern, which Commodore does not serve.
  { method: 'GET', pattern: '/auth/verify/:token', upstream: () => '/verify/:token' },
];

// ---------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------

class ControlPlaneServer implements ControlPlane {
  readonly requests: RecordedRequest[] = [];
  readonly jwtSecret: string;
  readonly serviceToken: string;
  readonly loginMode: LoginMode;
  readonly jwtTtlSeconds: number;
  urls = {} as Record<UrlKey, string>;
  ports = {} as Record<ServiceName, number>;

  private readonly version: string;
  private readonly users = new Map<string, StoredUser>();
  private readonly health = new Map<ServiceName, HealthState>();
  private readonly routes = new Map<ServiceName, Route[]>();
  private readonly servers = new Map<ServiceName, Server>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private faults: ArmedFault[] = [];
  private commodoreDown = false;
  private developerTokenListQuirk = false;
  private drainViewersPerSecond = 20;
  private readonly providerTenants = new Set<string>();
  private readonly clusters = new Map<string, Record<string, unknown> & { __owner?: string; __access: string[] }>();
  private readonly nodes: Array<Record<string, unknown>> = [];
  private readonly instances: StoredServiceInstance[] = [];
  readonly bootstrapTokens: Array<Record<string, unknown>> = [];
  readonly developerTokens: StoredDeveloperToken[] = [];
  private readonly foghornNodes = new Map<string, { mode: string; viewers: number; since: number }>();
  private closed?: Promise<void>;

  private readonly fixedPorts: Partial<Record<ServiceName, number>>;

  constructor(opts: ControlPlaneOptions) {
    this.fixedPorts = opts.ports ?? {};
    this.loginMode = opts.loginMode ?? 'mvp';
    this.jwtSecret = opts.jwtSecret ?? randomBytes(32).toString('hex');
    this.serviceToken = opts.serviceToken ?? `svc_${randomBytes(24).toString('hex')}`;
    this.jwtTtlSeconds = opts.jwtTtlSeconds ?? (this.loginMode === 'head' ? HEAD_TTL_SECONDS : MVP_TTL_SECONDS);
    this.version = opts.version ?? 'v0.1.0';
    for (const spec of opts.users ?? []) this.addUser(spec);
    for (const service of SERVICES) {
      this.health.set(service, 'healthy');
      this.routes.set(service, []);
      this.route(service, 'GET', '/health', () => this.healthRoute(service));
      // HEAD-era services also answer HEAD /health (contract §2); at MVP Gin 404s it.
      if (this.loginMode === 'head') this.route(service, 'HEAD', '/health', () => this.healthRoute(service));
    }
    this.registerAuthRoutes();
    this.developerTokenListQuirk = opts.developerTokenListQuirk ?? false;
    this.drainViewersPerSecond = opts.drainViewersPerSecond ?? 20;
    this.registerQuartermasterRoutes();
    this.registerDeveloperTokenRoutes();
    this.registerFoghornRoutes();
    this.bridge = installBridge(this, {
      foghornNode: (id) => {
        const state = this.foghornNodes.get(id);
        return state && { mode: state.mode, viewers: this.foghornViewers(state) };
      },
      setFoghornMode: (id, mode) => {
        const state = this.setFoghornMode(id, mode);
        return { mode: state.mode, viewers: state.viewers };
      },
    });
    this.builtinsRegistered = true;
  }

  private builtinsRegistered = false;
  readonly bridge: BridgeControls;

  async listen(): Promise<void> {
    for (const service of SERVICES) {
      const server = createServer((req, res) => {
        this.handle(service, req, res).catch((err: unknown) => writeJson(res, 500, { error: String(err) }));
      });
      server.on('connection', (socket: Socket) => this.track(service, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.fixedPorts[service] ?? 0, '127.0.0.1', () => resolve());
      });
      this.servers.set(service, server);
      const port = (server.address() as AddressInfo).port;
      this.ports[service] = port;
      if (service === 'signalman') this.urls['signalman-ws'] = `ws://127.0.0.1:${port}`;
      else this.urls[service] = `http://127.0.0.1:${port}`;
    }
  }

  // --- configuration -----------------------------------------------------------------------------

  addUser(spec: UserSpec): StoredUser {
    const user: StoredUser = {
      email: spec.email,
      password: spec.password,
      id: spec.id ?? randomUUID(),
      tenant_id: spec.tenant_id ?? randomUUID(),
      role: spec.role ?? 'owner',
      active: spec.active ?? true,
      verified: spec.verified ?? true,
      is_provider: spec.is_provider ?? false,
      first_name: spec.first_name ?? '',
      last_name: spec.last_name ?? '',
      permissions: spec.permissions ?? null,
      platform_operator: spec.platform_operator ?? false,
      created_at: rfc3339Nano(Date.now()),
    };
    this.users.set(user.email, user);
    return user;
  }

  findUser(email: string): StoredUser | undefined {
    return this.users.get(email);
  }

  isProviderTenant(tenantId: string): boolean {
    return this.providerTenants.has(tenantId) || [...this.users.values()].some((u) => u.tenant_id === tenantId && u.is_provider);
  }

  addProviderTenant(tenantId: string): void {
    this.providerTenants.add(tenantId);
  }

  // --- Quartermaster / Commodore / Foghorn data ---------------------------------------------------

  addCluster(spec: ClusterSpec): Record<string, unknown> {
    const now = rfc3339Nano(Date.now());
    const cluster = {
      id: randomUUID(),
      cluster_id: spec.cluster_id,
      cluster_name: spec.cluster_name ?? spec.cluster_id,
      cluster_type: spec.cluster_type ?? 'central',
      deployment_model: '',
      base_url: spec.base_url ?? `https://${spec.cluster_id}.example.com`,
      max_concurrent_streams: 1000,
      max_concurrent_viewers: 100000,
      max_bandwidth_mbps: 10000,
      current_stream_count: 0,
      current_viewer_count: 0,
      current_bandwidth_mbps: 0,
      is_active: spec.is_active ?? true,
      health_status: spec.health_status ?? 'healthy',
      last_seen: now,
      created_at: now,
      updated_at: now,
    };
    Object.defineProperty(cluster, '__owner', { value: spec.owner_tenant_id, enumerable: false });
    Object.defineProperty(cluster, '__access', { value: spec.access ?? [], enumerable: false });
    this.clusters.set(spec.cluster_id, cluster as typeof cluster & { __owner?: string; __access: string[] });
    return cluster;
  }

  addNode(spec: NodeSpec): Record<string, unknown> {
    const now = rfc3339Nano(Date.now());
    // Struct field order of the Go InfrastructureNode; optional fields omitted when empty.
    const node: Record<string, unknown> = {
      id: randomUUID(),
      node_id: spec.node_id,
      cluster_id: spec.cluster_id,
      node_name: spec.node_name ?? spec.node_id,
      node_type: spec.node_type ?? 'edge',
      ...(spec.internal_ip ? { internal_ip: spec.internal_ip } : {}),
      ...(spec.external_ip ? { external_ip: spec.external_ip } : {}),
      ...(spec.region ? { region: spec.region } : {}),
      status: spec.status ?? 'active',
      health_score: spec.health_score ?? 1,
      last_heartbeat: now,
      tags: spec.tags ?? {},
      metadata: spec.metadata ?? {},
      created_at: now,
      updated_at: now,
    };
    this.nodes.push(node);
    return node;
  }

  addServiceInstance(spec: ServiceInstanceSpec): StoredServiceInstance {
    const inst: StoredServiceInstance = {
      spec: { ...spec },
      id: randomUUID(),
      instance_id: spec.instance_id ?? `inst-${randomBytes(6).toString('hex')}`,
      created_at: rfc3339Nano(Date.now()),
      last_health_check_ms: Date.now() - (spec.last_health_check_age_s ?? 5) * 1000,
    };
    this.instances.push(inst);
    return inst;
  }

  setViewers(nodeId: string, viewers: number): void {
    const state = this.foghornNodes.get(nodeId) ?? { mode: 'normal', viewers: 0, since: Date.now() };
    this.foghornNodes.set(nodeId, { ...state, viewers, since: Date.now() });
  }

  clearData(): void {
    this.clusters.clear();
    this.nodes.length = 0;
    this.instances.length = 0;
    this.bootstrapTokens.length = 0;
    this.developerTokens.length = 0;
    this.foghornNodes.clear();
  }

  setHealth(service: ServiceName, state: HealthState): void {
    this.health.set(service, state);
  }

  /** Commodore stops accepting connections: its own /health fails and the Gateway answers 502 on /auth/*. */
  setCommodoreDown(down: boolean): void {
    this.commodoreDown = down;
  }

  inject(service: ServiceName, fault: Fault, opts: FaultOptions = {}): () => void {
    const armed: ArmedFault = { service, fault, path: opts.path, remaining: opts.times ?? Infinity };
    this.faults.push(armed);
    return () => {
      this.faults = this.faults.filter((f) => f !== armed);
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  requestsTo(service: ServiceName, path?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.service === service && (path === undefined || r.path === path));
  }

  reset(): void {
    for (const service of SERVICES) this.health.set(service, 'healthy');
    this.clearFaults();
    this.commodoreDown = false;
    this.requests.length = 0;
  }

  signJwt(claims: JwtClaims, opts: { secret?: string; ttlSeconds?: number } = {}): string {
    const iat = claims.iat ?? Math.floor(Date.now() / 1000);
    const exp = claims.exp ?? iat + (opts.ttlSeconds ?? this.jwtTtlSeconds);
    return signHs256({ ...claims, exp, iat }, opts.secret ?? this.jwtSecret);
  }

  authenticate(req: { headers: IncomingHttpHeaders }): AuthOutcome {
    return authenticate(req, { jwtSecret: this.jwtSecret, serviceToken: this.serviceToken });
  }

  route(service: ServiceName, method: string, pattern: string, handler: RouteHandler, opts: { auth?: boolean } = {}): void {
    const route = { method: method.toUpperCase(), segments: splitPath(pattern), handler, auth: opts.auth ?? false };
    // A test's own route overrides the built-in one for the same path; built-ins keep their order.
    if (this.builtinsRegistered) this.routes.get(service)!.unshift(route);
    else this.routes.get(service)!.push(route);
  }

  // --- lifecycle ---------------------------------------------------------------------------------

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closing = [...this.servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    // Hung, delayed and keep-alive connections would keep server.close() (and vitest) waiting.
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closing);
  }

  private track(service: ServiceName, socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    if (service === 'control' && this.commodoreDown) socket.destroy();
  }

  // --- request pipeline --------------------------------------------------------------------------

  private async handle(service: ServiceName, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    this.requests.push({ service, method, path: url.pathname, query: url.search, headers: req.headers, body });
    // A keep-alive connection opened before Commodore went down must not be served either.
    if (service === 'control' && this.commodoreDown) {
      req.socket.destroy();
      return;
    }
    const fault = this.takeFault(service, url.pathname);
    if (fault && (await this.applyFault(fault, req, res))) return;
    await this.dispatch(service, req, res, url, body);
  }

  private takeFault(service: ServiceName, path: string): Fault | undefined {
    const armed = this.faults.find((f) => f.service === service && f.remaining > 0 && pathMatches(f.path, path));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.faults = this.faults.filter((f) => f !== armed);
    return armed.fault;
  }

  /** Applies a fault; true when the request is finished (answered, dropped or left hanging). */
  private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'delay':
        await this.sleep(fault.ms);
        return res.destroyed; // the client gave up: nothing left to answer
      case 'status':
        if (typeof fault.body === 'string') writeText(res, fault.code, fault.body, 'text/plain; charset=utf-8');
        else writeJson(res, fault.code, fault.body ?? { error: STATUS_CODES[fault.code] ?? `HTTP ${fault.code}` });
        return true;
      case 'garbage':
        writeText(res, 200, GARBAGE_BODY, JSON_TYPE);
        return true;
      case 'reset':
        // RST rather than FIN, so clients see ECONNRESET instead of a clean close.
        req.socket.resetAndDestroy();
        return true;
      case 'hang':
        return true;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async dispatch(service: ServiceName, req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const method = req.method ?? 'GET';
    const found = this.findRoute(service, method, url.pathname);
    if (!found) {
      const alt = toggleTrailingSlash(url.pathname);
      if (alt && this.findRoute(service, method, alt)) writeGinRedirect(res, method, alt + url.search);
      else writeGinNotFound(res);
      return;
    }
    const ctx: RouteContext = { service, req, res, path: url.pathname, query: url.searchParams, params: found.params, body };
    if (found.route.auth) {
      const auth = this.authenticate(req);
      if (!auth.ok) return writeJson(res, auth.status, auth.body);
      ctx.auth = auth;
    }
    const reply = await found.route.handler(ctx);
    if (reply) writeReply(res, reply);
  }

  private findRoute(service: ServiceName, method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const segments = splitPath(path);
    for (const route of this.routes.get(service)!) {
      if (route.method !== method) continue;
      const params = matchRoute(route, segments);
      if (params) return { route, params };
    }
    return undefined;
  }

  // --- routes ------------------------------------------------------------------------------------

  /** §1.4: service role, or a JWT whose tenant is a provider. */
  private privileged(ctx: RouteContext): boolean {
    const auth = ctx.auth!;
    return auth.claims.role === 'service' || (auth.kind === 'jwt' && this.isProviderTenant(String(auth.claims.tenant_id ?? '')));
  }

  /** Clusters a non-provider tenant may see: owned or with active access. */
  private visibleCluster(ctx: RouteContext, clusterId: string): boolean {
    if (this.privileged(ctx)) return true;
    const c = this.clusters.get(clusterId);
    const tenant = String(ctx.auth!.claims.tenant_id ?? '');
    return !!c && (c.__owner === tenant || c.__access.includes(tenant));
  }

  private registerQuartermasterRoutes(): void {
    const qm = (method: string, pattern: string, handler: RouteHandler) => this.route('quartermaster', method, pattern, handler, { auth: true });
    const forbidden: Reply = { status: 403, json: { error: 'forbidden' } };

    qm('POST', '/admin/bootstrap-tokens', (ctx) => {
      if (!this.privileged(ctx)) return forbidden;
      const body = parseJsonObject(ctx.body);
      if (!body || typeof body.kind !== 'string' || body.kind === '') return { status: 400, json: { error: 'invalid request' } };
      const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
      const kind = body.kind;
      if (kind !== 'edge_node' && kind !== 'service') return { status: 400, json: { error: 'invalid kind' } };
      if (kind === 'edge_node' && !str('tenant_id')) return { status: 400, json: { error: 'tenant_id required for edge_node' } };
      const ttlMs = parseGoDuration(str('ttl') || '24h');
      if (ttlMs === undefined || ttlMs <= 0) return { status: 400, json: { error: 'invalid ttl' } };
      // UUID and INET columns: malformed values fail at insert time (contract §3.1).
      if (str('tenant_id') && !UUID_RE.test(str('tenant_id'))) return { status: 500, json: { error: 'failed to create token' } };
      if (str('expected_ip') && !isIP(str('expected_ip'))) return { status: 500, json: { error: 'failed to create token' } };
      const metadata = body.metadata && typeof body.metadata === 'object' && Object.keys(body.metadata).length ? body.metadata : undefined;
      const now = Date.now();
      const token: Record<string, unknown> = {
        id: randomUUID(),
        token: alphanumerics(48),
        kind,
        ...(str('tenant_id') ? { tenant_id: str('tenant_id') } : {}),
        ...(str('cluster_id') ? { cluster_id: str('cluster_id') } : {}),
        ...(str('expected_ip') ? { expected_ip: str('expected_ip') } : {}),
        ...(metadata ? { metadata } : {}),
        expires_at: rfc3339Nano(now + ttlMs),
        created_at: rfc3339Nano(now),
      };
      this.bootstrapTokens.unshift(token); // newest first
      return { status: 201, json: { token } };
    });
    qm('GET', '/admin/bootstrap-tokens', (ctx) => {
      if (!this.privileged(ctx)) return forbidden;
      return { status: 200, json: { tokens: [...this.bootstrapTokens], count: this.bootstrapTokens.length } };
    });
    qm('DELETE', '/admin/bootstrap-tokens/:id', (ctx) => {
      if (!this.privileged(ctx)) return forbidden;
      if (!UUID_RE.test(ctx.params.id)) return { status: 500, json: { error: 'failed to revoke token' } };
      const i = this.bootstrapTokens.findIndex((t) => t.id === ctx.params.id);
      if (i < 0) return { status: 404, json: { error: 'not found' } };
      this.bootstrapTokens.splice(i, 1);
      // ⚠ `success` is never set to true by the MVP handler.
      return { status: 200, json: { success: false, message: 'revoked' } };
    });

    const healthList = (ctx: RouteContext, serviceId?: string): Reply => {
      const cutoff = Date.now() - 180_000;
      const fresh = (i: StoredServiceInstance) => ['running', 'starting'].includes(i.spec.status ?? 'running') && i.last_health_check_ms >= cutoff;
      // Contract §3.1 ⚠: the tenant-scoped SQL lacks parentheses around its OR — `fresh AND owned OR
      // granted` — so a non-provider tenant also gets stale and stopped rows of clusters it was granted.
      const privileged = this.privileged(ctx);
      const tenant = String(ctx.auth!.claims.tenant_id ?? '');
      const owned = (clusterId: string) => this.clusters.get(clusterId)?.__owner === tenant;
      const granted = (clusterId: string) => this.clusters.get(clusterId)?.__access.includes(tenant) ?? false;
      const instances = this.instances
        .filter((i) => serviceId === undefined || i.spec.service_id === serviceId)
        .filter((i) => (privileged ? fresh(i) : (fresh(i) && owned(i.spec.cluster_id)) || granted(i.spec.cluster_id)))
        .map((i) => ({
          instance_id: i.instance_id,
          service_id: i.spec.service_id,
          cluster_id: i.spec.cluster_id,
          protocol: i.spec.protocol ?? 'http',
          ...(i.spec.host ? { host: i.spec.host } : {}),
          port: i.spec.port ?? 0,
          health_endpoint: i.spec.health_endpoint ?? '/health',
          status: i.spec.health_status ?? 'healthy',
          last_health_check: rfc3339Nano(i.last_health_check_ms),
        }));
      return { status: 200, json: { instances: instances.length ? instances : null, count: instances.length } };
    };
    qm('GET', '/services/health', (ctx) => healthList(ctx));
    qm('GET', '/services/:service_id/health', (ctx) => healthList(ctx, ctx.params.service_id));

    qm('GET', '/service-discovery', (ctx) => {
      const type = ctx.query.get('type') ?? '';
      if (!type) return { status: 400, json: { error: 'type required' } };
      const clusterId = ctx.query.get('cluster_id') ?? '';
      const instances = this.instances
        .filter((i) => (i.spec.type ?? i.spec.service_id) === type && (!clusterId || i.spec.cluster_id === clusterId))
        .filter((i) => this.visibleCluster(ctx, i.spec.cluster_id))
        .map((i) => {
          const status = i.spec.status ?? 'running';
          return {
            id: i.id,
            instance_id: i.instance_id,
            cluster_id: i.spec.cluster_id,
            ...(i.spec.node_id ? { node_id: i.spec.node_id } : {}),
            service_id: i.spec.service_id,
            ...(i.spec.version ? { version: i.spec.version } : {}),
            ...(i.spec.port ? { port: i.spec.port } : {}),
            status,
            health_status: i.spec.health_status ?? 'healthy',
            started_at: i.created_at,
            ...(status === 'stopped' ? { stopped_at: rfc3339Nano(i.last_health_check_ms) } : {}),
            last_health_check: rfc3339Nano(i.last_health_check_ms),
            created_at: i.created_at,
            updated_at: rfc3339Nano(i.last_health_check_ms),
          };
        });
      return { status: 200, json: { instances, count: instances.length } };
    });

    qm('GET', '/nodes', (ctx) => {
      const filters = { cluster_id: ctx.query.get('cluster_id') ?? '', node_type: ctx.query.get('node_type') ?? '', region: ctx.query.get('region') ?? '' };
      const nodes = this.nodes.filter(
        (n) =>
          (!filters.cluster_id || n.cluster_id === filters.cluster_id) &&
          (!filters.node_type || n.node_type === filters.node_type) &&
          (!filters.region || n.region === filters.region),
      );
      return { status: 200, json: { nodes: nodes.length ? nodes : null, count: nodes.length, filters } };
    });
    // ⚠ Reads an undefined path parameter: always 404 (contract §3.1, §9.6).
    qm('GET', '/nodes/:id', () => ({ status: 404, json: { error: 'Node not found' } }));

    qm('GET', '/clusters', () => {
      const clusters = [...this.clusters.values()].sort((a, b) => String(a.cluster_name).localeCompare(String(b.cluster_name)));
      return { status: 200, json: { clusters: clusters.length ? clusters : null, count: clusters.length } };
    });
    qm('GET', '/clusters/:id', (ctx) => {
      const cluster = this.clusters.get(ctx.params.id);
      return cluster ? { status: 200, json: { cluster } } : { status: 404, json: { error: 'Cluster not found' } };
    });
  }

  private registerDeveloperTokenRoutes(): void {
    // Commodore MVP REST behind the §1.3 middleware (the CLI itself insists on a JWT).
    this.route(
      'control',
      'POST',
      '/developer/tokens',
      (ctx) => {
        const body = parseJsonObject(ctx.body);
        if (!body) return { status: 400, json: { error: ctx.body.trim() ? goSyntaxError(ctx.body) : 'EOF' } };
        const name = typeof body.token_name === 'string' ? body.token_name : '';
        if (!name) return { status: 400, json: { error: validatorText('CreateAPITokenRequest', 'TokenName', 'required') } };
        const permissions = Array.isArray(body.permissions) && body.permissions.length ? body.permissions.map(String) : ['read', 'write'];
        let expiresAt = rfc3339Nano(Date.now() + 30 * 86_400_000);
        if (body.expires_at !== undefined && body.expires_at !== null) {
          const text = String(body.expires_at);
          if (!RFC3339_RE.test(text)) {
            return { status: 400, json: { error: `parsing time "${text}" as "2006-01-02T15:04:05Z07:00": cannot parse "${text}" as "2006"` } };
          }
          expiresAt = text;
        }
        const token: StoredDeveloperToken = {
          id: randomUUID(),
          user_id: String(ctx.auth!.claims.user_id ?? ''),
          token_value: `fwk_${alphanumerics(40)}`,
          token_name: name,
          permissions,
          expires_at: expiresAt,
          created_at: rfc3339Nano(Date.now()),
          active: true,
        };
        this.developerTokens.push(token);
        return {
          status: 201,
          json: {
            id: token.id,
            token_value: token.token_value,
            token_name: token.token_name,
            permissions: token.permissions,
            expires_at: token.expires_at,
            created_at: token.created_at,
            message: "API token created successfully. Store this token securely - it won't be shown again.",
          },
        };
      },
      { auth: true },
    );
    this.route(
      'control',
      'GET',
      '/developer/tokens',
      (ctx) => {
        if (this.developerTokenListQuirk) return { status: 200, json: { tokens: null, count: 0 } };
        const now = Date.now();
        const tokens = this.developerTokens
          .filter((t) => t.user_id === String(ctx.auth!.claims.user_id ?? ''))
          .map((t) => ({
            id: t.id,
            token_name: t.token_name,
            permissions: t.permissions,
            status: !t.active ? 'revoked' : t.expires_at && Date.parse(t.expires_at) <= now ? 'expired' : 'active',
            last_used_at: null,
            expires_at: t.expires_at,
            created_at: t.created_at,
          }));
        return { status: 200, json: { tokens: tokens.length ? tokens : null, count: tokens.length } };
      },
      { auth: true },
    );
    this.route(
      'control',
      'DELETE',
      '/developer/tokens/:id',
      (ctx) => {
        const t = this.developerTokens.find((x) => x.id === ctx.params.id && x.active && x.user_id === String(ctx.auth!.claims.user_id ?? ''));
        if (!t) return { status: 404, json: { error: 'API token not found or already revoked' } };
        t.active = false;
        return {
          status: 200,
          json: { message: 'API token revoked successfully', token_id: t.id, token_name: t.token_name, revoked_at: rfc3339Nano(Date.now()) },
        };
      },
      { auth: true },
    );
  }

  /** Viewers now: they leave a draining/maintenance node at `drainViewersPerSecond`. */
  private foghornViewers(state: { mode: string; viewers: number; since: number }): number {
    if (state.mode === 'normal') return state.viewers;
    const gone = Math.floor(((Date.now() - state.since) / 1000) * this.drainViewersPerSecond);
    return Math.max(0, state.viewers - gone);
  }

  /** Foghorn's mode change (HTTP PUT and, through the Gateway, setNodeMode): viewers counted at the switch. */
  private setFoghornMode(nodeId: string, mode: string): { mode: string; viewers: number; since: number } {
    const prev = this.foghornNodes.get(nodeId) ?? { mode: 'normal', viewers: 0, since: Date.now() };
    const state = { mode, viewers: this.foghornViewers(prev), since: Date.now() };
    this.foghornNodes.set(nodeId, state);
    return state;
  }

  private registerFoghornRoutes(): void {
    // HEAD Foghorn HTTP (contract §5.2): no auth middleware on these routes.
    this.route('foghorn-http', 'PUT', '/nodes/:node_id/mode', (ctx) => {
      const body = parseJsonObject(ctx.body);
      if (!body) return { status: 400, json: { error: 'invalid request body' } };
      const raw = typeof body.mode === 'string' ? body.mode.toLowerCase() : '';
      const mode = raw === '' ? 'normal' : raw;
      if (!['normal', 'draining', 'maintenance'].includes(mode)) return { status: 400, json: { error: `invalid mode: ${String(body.mode)}` } };
      const state = this.setFoghornMode(ctx.params.node_id, mode);
      return { status: 200, json: { node_id: ctx.params.node_id, operational_mode: mode, active_viewers: state.viewers } };
    });
    this.route('foghorn-http', 'GET', '/nodes/:node_id/drain-status', (ctx) => {
      const state = this.foghornNodes.get(ctx.params.node_id);
      if (!state) return { status: 404, json: { error: 'node not found' } };
      return { status: 200, json: { node_id: ctx.params.node_id, operational_mode: state.mode, active_viewers: this.foghornViewers(state) } };
    });
  }

  private healthRoute(service: ServiceName): Reply {
    const { status, body } = healthReply(HEALTH_SERVICE_NAME[service], this.version, this.health.get(service)!);
    return { status, json: body };
  }

  private registerAuthRoutes(): void {
    // Commodore (MVP REST): the login itself and a claims echo behind the JWT middleware.
    this.route('control', 'POST', '/auth/login', (ctx) => this.commodoreLogin(ctx.body));
    this.route('control', 'GET', '/auth/me', (ctx) => ({ status: 200, json: ctx.auth!.claims }), { auth: true });

    if (this.loginMode === 'mvp') {
      for (const p of MVP_GATEWAY_PROXY) {
        this.route('gateway', p.method, p.pattern, (ctx) => this.proxyToCommodore(ctx, p.upstream(ctx.path)));
      }
      return;
    }
    // HEAD Bridge calls Commodore over gRPC (in process here) and accepts an optional trailing slash.
    for (const pattern of ['/auth/login', '/auth/login/']) {
      this.route('gateway', 'POST', pattern, (ctx) => this.bridgeLogin(ctx.body));
    }
    for (const pattern of ['/auth/me', '/auth/me/']) {
      this.route('gateway', 'GET', pattern, (ctx) => (this.commodoreDown ? this.bridgeUpstreamDown() : { status: 200, json: ctx.auth!.claims }), {
        auth: true,
      });
    }
  }

  /** MVP Commodore `Login`: bind, look up by email, active → verified → password, then sign. */
  private commodoreLogin(body: string): Reply {
    const bound = bindLoginRequest(body);
    if (!bound.ok) return { status: 400, json: { error: bound.error } };
    const user = this.users.get(bound.email);
    if (!user) return { status: 401, json: { error: LOGIN_ERRORS.invalidCredentials } };
    if (!user.active) return { status: 401, json: { error: LOGIN_ERRORS.deactivated } };
    if (!user.verified) return { status: 401, json: { error: LOGIN_ERRORS.unverified } };
    if (user.password !== bound.password) return { status: 401, json: { error: LOGIN_ERRORS.invalidCredentials } };
    const { token, expiresAt } = this.issueToken(user);
    // gin.H is a map, so Go writes the keys sorted.
    return { status: 200, json: { expires_at: expiresAt, token, user: mvpLoginUser(user) } };
  }

  /** HEAD Bridge `POST /auth/login`: sanitised errors, the JWT only as the access_token cookie. */
  private bridgeLogin(body: string): Reply {
    if (this.commodoreDown) return this.bridgeUpstreamDown();
    const bound = bindLoginRequest(body);
    if (!bound.ok) return { status: 400, json: { error: `invalid request: ${bound.error}` } };
    const user = this.users.get(bound.email);
    if (!user || user.password !== bound.password || !user.active) {
      return { status: 401, json: { error: LOGIN_ERRORS.headInvalidCredentials } };
    }
    if (!user.verified) return { status: 403, json: { error: LOGIN_ERRORS.headUnverified, error_code: 'EMAIL_NOT_VERIFIED' } };
    const { token, expiresAt } = this.issueToken(user, true);
    const setCookie = [
      cookie('access_token', token, this.jwtTtlSeconds, true),
      cookie('refresh_token', `rt_${randomBytes(32).toString('hex')}`, REFRESH_TTL_SECONDS, true),
      cookie('tenant_id', user.tenant_id, REFRESH_TTL_SECONDS, false),
    ];
    return { status: 200, json: { user: headUser(user), expires_at: expiresAt }, headers: { 'set-cookie': setCookie } };
  }

  private bridgeUpstreamDown(): Reply {
    return { status: 503, json: { error: LOGIN_ERRORS.headUpstreamDown } };
  }

  private issueToken(user: StoredUser, head = false): { token: string; expiresAt: string } {
    const nowMs = Date.now();
    const iat = Math.floor(nowMs / 1000);
    const claims: JwtClaims = { user_id: user.id, tenant_id: user.tenant_id, email: user.email, role: user.role };
    if (head) Object.assign(claims, { roles: [user.role], auth_time: iat });
    const token = signHs256({ ...claims, exp: iat + this.jwtTtlSeconds, iat }, this.jwtSecret);
    return { token, expiresAt: rfc3339Nano(nowMs + this.jwtTtlSeconds * 1000) };
  }

  /** MVP Gateway: forward method, path, headers and body to Commodore; copy status, headers and body back. */
  private proxyToCommodore(ctx: RouteContext, upstreamPath: string): Promise<undefined> {
    const { req, res, body } = ctx;
    return new Promise((resolve) => {
      const fail = () => {
        writeJson(res, 502, { error: LOGIN_ERRORS.gatewayUpstreamDown });
        resolve(undefined);
      };
      const headers: OutgoingHttpHeaders = { ...req.headers, 'content-length': Buffer.byteLength(body) };
      for (const h of ['host', 'connection', 'keep-alive', 'transfer-encoding']) delete headers[h];
      const target = new URL(upstreamPath + new URL(req.url ?? '/', 'http://x').search, this.urls.control);
      const upstream = httpRequest(target, { method: req.method, headers, agent: false }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('error', fail);
        up.on('close', () => {
          if (!up.complete) return fail();
          const out: OutgoingHttpHeaders = { ...up.headers };
          for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'date']) delete out[h];
          if (!res.destroyed && !res.headersSent) {
            res.writeHead(up.statusCode ?? 502, out);
            res.end(Buffer.concat(chunks));
          }
          resolve(undefined);
        });
      });
      upstream.on('error', fail);
      // The caller gave up (e.g. its timeout while Commodore hangs): stop waiting upstream as well.
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    });
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration (no `d` unit); milliseconds, or undefined when Go would reject it. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!m) return text === '0' ? 0 : undefined;
  let total = 0;
  for (const part of text.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * GO_DURATION_UNITS[part[2]];
  return m[1] === '-' ? -total : total;
}

function alphanumerics(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

function pathMatches(want: string | RegExp | undefined, path: string): boolean {
  if (want === undefined) return true;
  return typeof want === 'string' ? want === path : want.test(path);
}

/** The MVP login reply fills only id, tenant_id, email, role, permissions; the rest stays Go-zero (§4.1). */
function mvpLoginUser(user: StoredUser): Record<string, unknown> {
  return {
    id: user.id,
    tenant_id: user.tenant_id,
    email: user.email,
    first_name: '',
    last_name: '',
    role: user.role,
    permissions: null,
    is_active: false,
    is_verified: false,
    created_at: GO_ZERO_TIME,
    updated_at: GO_ZERO_TIME,
  };
}

/** HEAD User JSON (contract §4.4). */
function headUser(user: StoredUser): Record<string, unknown> {
  return {
    id: user.id,
    tenant_id: user.tenant_id,
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    role: user.role,
    permissions: user.permissions,
    is_active: user.active,
    is_verified: user.verified,
    platform_operator: user.platform_operator,
    created_at: user.created_at,
    updated_at: user.created_at,
    last_login_at: rfc3339Nano(Date.now()),
  };
}

/** Starts every service listener; call `close()` when done (afterAll). */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const cp = new ControlPlaneServer(opts);
  try {
    await cp.listen();
  } catch (err) {
    await cp.close();
    throw err;
  }
  return cp;
}
