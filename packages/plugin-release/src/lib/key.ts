import { readFile } from 'node:fs/promises';
import { parsePublicKey, tildify, usageError, type SigningKey } from '@frameworks/sdk';

/** --key: the public key (PEM) the bundle's manifest.json.sig must verify with. */
export async function readPublicKey(file: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch {
    throw usageError(`--key ${tildify(file)}: no such file.`, ['cosign public-key --key cosign.key > cosign.pub'], 'BUNDLE_KEY_NOT_FOUND');
  }
  return parsePublicKey(pem, `--key ${tildify(file)}`);
}
