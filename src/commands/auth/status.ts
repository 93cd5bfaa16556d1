import { FrameworksCommand, marks, renderKeyValues } from '@frameworks/cli-kit';
import { ExitCode, FrameworksError } from '@frameworks/sdk';
import { credentialsView, describeExpiry } from '../../lib/context-view.js';

export default class AuthStatus extends FrameworksCommand<typeof AuthStatus> {
  static override summary = 'Show which credentials the context has (redacted) and when the JWT expires.';
  static override description = 'Exits 0 when at least one usable credential is present, 3 when none is (or the only one is an expired JWT).';
  static override aliases = ['whoami'];
  static override examples = [
    { description: 'Show the credentials of the current context and when the JWT expires', command: '<%= config.bin %> auth status' },
    { description: 'Check the login of the prod context from a script (whoami is an alias)', command: '<%= config.bin %> whoami --context prod --json' },
  ];

  async run() {
    const ctx = await this.context();
    const view = credentialsView(await this.credentialStore().get(ctx.name));
    const jwt = view.jwt;
    const svc = view.service_token;
    this.out(
      renderKeyValues([
        ['context', ctx.name],
        [
          'jwt',
          jwt
            ? `${jwt.expired ? marks.fail() : marks.ok()} ${jwt.token} from ${jwt.env ?? jwt.source}${jwt.email ? `, ${jwt.email}` : ''}${jwt.role ? ` (${jwt.role})` : ''}; ${describeExpiry(jwt.expires_at)}`
            : 'none',
        ],
        ['service token', svc ? `${marks.ok()} ${svc.token} from ${svc.env ?? svc.source}` : 'none'],
      ]),
    );
    const usable = (jwt && !jwt.expired) || svc;
    const result = { context: ctx.name, authenticated: Boolean(usable), ...view };
    if (!usable) {
      throw new FrameworksError(jwt?.expired ? `The JWT of context "${ctx.name}" has expired.` : `Context "${ctx.name}" has no credentials.`, {
        code: jwt?.expired ? 'JWT_EXPIRED' : 'NOT_AUTHENTICATED',
        exitCode: ExitCode.NOT_AUTHENTICATED,
        name: 'AuthError',
        result,
        suggestions: [`frameworks login --email <you@example.com>${this.flags.context ? ` --context ${this.flags.context}` : ''}`, 'frameworks login --service-token-stdin < token-file'],
      });
    }
    return result;
  }
}
