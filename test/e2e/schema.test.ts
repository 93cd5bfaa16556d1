// `frameworks schema`: the published result schemas, as a script author finds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../support/cli.js';

let sb: CliSandbox;
beforeAll(() => {
  sb = new CliSandbox('fw-e2e-schema-');
});
afterAll(() => sb?.cleanup());

describe('frameworks schema', () => {
  it('lists every command with the file of its schema, none missing', async () => {
    const r = await sb.run(['schema', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = (r.json!.result as { commands: Array<{ command: string; schema: string | null }> }).commands;
    expect(rows.map((c) => c.command)).toEqual(expect.arrayContaining(['edge status', 'admin nodes list', 'services plan', 'context check', 'schema']));
    expect(rows.filter((c) => c.schema === null)).toEqual([]);
  });

  it('prints one command\'s schema, and that schema accepts the command\'s own --json result', async () => {
    const text = await sb.run(['schema', 'context', 'list']);
    expect(text.code, text.stderr).toBe(0);
    const schema = JSON.parse(text.stdout) as object;
    expect(schema).toMatchObject({ title: 'frameworks context list --json: result', type: 'object' });
    const out = await sb.run(['context', 'list', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const { Ajv } = await import('ajv');
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(out.json!.result), JSON.stringify(validate.errors)).toBe(true);
  });

  it('an unknown command is exit 2 with the listing as the next step', async () => {
    const r = await sb.run(['schema', 'edge', 'nope', '--json']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ code: 'COMMAND_NOT_FOUND', suggestions: ['frameworks schema'] });
  });
});
