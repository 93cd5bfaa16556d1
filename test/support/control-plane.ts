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
import type { AddressInfo, Socket } from 'node:net';

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
  }

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
    return [...this.users.values()].some((u) => u.tenant_id === tenantId && u.is_provider);
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
    this.routes.get(service)!.push({ method: method.toUpperCase(), segments: splitPath(pattern), handler, auth: opts.auth ?? false });
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
