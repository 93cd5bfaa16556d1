/** HashiCorp's HCL parser (hcl2json compiled to WebAssembly): generated Terraform is checked with the real grammar. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export type HclJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Parse one file of `dir`; a syntax error rejects with HCL's own diagnostic. */
export async function parseHclFile(dir: string, rel: string): Promise<HclJson> {
  return (await parse(rel, readFileSync(join(dir, rel), 'utf8'))) as HclJson;
}
