// A self-signed TLS certificate for tests of 'grpcs://' connections, made with the openssl
// command line as the XLA server's own tests make theirs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate and its key, as PEM files, and the certificate's text. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

function opensslPresent(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Why certificate tests skip here: openssl is not installed. Under CI (the CI variable set) a
 * missing openssl is no reason to skip: the tests run and fail, naming it.
 */
export function certificateSkipReason(): string | undefined {
  if (process.env.CI || opensslPresent()) return undefined;
  return 'openssl is not installed: cannot make a test certificate (apt-get install openssl)';
}

/**
 * Writes `NAME-cert.pem` and `NAME-key.pem` into `dir`: a self-signed EC P-256 certificate
 * valid for a day, with the subject CN `commonName` and the subject alternative names `hosts`
 * (default: localhost and 127.0.0.1).
 *
 * @example
 * const { certFile, keyFile } = makeSelfSignedCertificate(dir, 'server');
 * await startLocalXlaServer({ extraArgs: ['--tls-cert', certFile, '--tls-key', keyFile] });
 */
export function makeSelfSignedCertificate(
  dir: string,
  name: string,
  hosts: readonly string[] = ['DNS:localhost', 'IP:127.0.0.1'],
  commonName = 'localhost',
): TestCertificate {
  if (!opensslPresent()) throw new Error('openssl is not installed, so no test certificate can be made: install it (apt-get install openssl).');
  const certFile = join(dir, `${name}-cert.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  args.push('-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${commonName}`);
  if (hosts.length > 0) args.push('-addext', `subjectAltName=${hosts.join(',')}`);
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`openssl could not make a test certificate (exit ${result.status}): ${result.stderr}`);
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}
