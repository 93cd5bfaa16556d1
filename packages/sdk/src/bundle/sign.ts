import { execFile } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, FrameworksError, usageError } from '../errors.js';
import { tildify } from '../paths.js';

const COSIGN_KEY = /-----BEGIN (?:ENCRYPTED )?(?:SIGSTORE|COSIGN) PRIVATE KEY-----/;

function signFailed(keyFile: string, why: string, suggestions: string[]): FrameworksError {
  return new FrameworksError(`Cannot sign the bundle with ${tildify(keyFile)}: ${why}`, { code: 'BUNDLE_SIGN_FAILED', exitCode: ExitCode.FAILED, suggestions });
}

function cosignSignBlob(keyFile: string, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // --tlog-upload=false: an airgap bundle is verified with the key alone (no transparency log).
    execFile('cosign', ['sign-blob', '--key', keyFile, '--tlog-upload=false', '--use-signing-config=false', '--new-bundle-format=false', '--yes', file], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout.trim());
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        signFailed(keyFile, missing ? 'it is an encrypted cosign key and the cosign binary is not installed.' : `cosign sign-blob failed: ${stderr.trim().split('\n').pop()}`, [
          missing ? 'apt-get install cosign   # or sign with an unencrypted PEM key (openssl pkcs8 -topk8 -nocrypt)' : 'COSIGN_PASSWORD=… frameworks bundle create … --sign-key cosign.key',
        ]),
      );
    });
  });
}

/**
 * `manifest.json.sig`: the base64 DER ECDSA signature over SHA-256 of the bytes, exactly what
 * `cosign sign-blob --key` writes (so `cosign verify-blob --key k.pub --signature …` accepts it too).
 * A cosign key (`cosign generate-key-pair`, encrypted with COSIGN_PASSWORD) is handed to the cosign
 * binary, the only reader of its format; an unencrypted PEM private key (PKCS#8 or SEC1) is used directly.
 */
export async function signBundleManifest(data: Uint8Array, keyFile: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch (err) {
    throw usageError(`--sign-key ${tildify(keyFile)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, [
      'cosign generate-key-pair   # writes cosign.key and cosign.pub',
    ], 'BUNDLE_SIGN_KEY_NOT_FOUND');
  }
  if (COSIGN_KEY.test(pem)) {
    const dir = await mkdtemp(join(tmpdir(), 'fw-bundle-sign-'));
    try {
      const file = join(dir, 'manifest.json');
      await writeFile(file, data);
      return await cosignSignBlob(keyFile, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  try {
    const key = createPrivateKey(pem);
    return sign('sha256', data, key).toString('base64');
  } catch (err) {
    throw signFailed(keyFile, `not a PEM private key (${(err as Error).message}).`, ['openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt > bundle.key']);
  }
}
