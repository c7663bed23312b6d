// The fix for a connection that failed on TLS: a certificate the client does not trust or that
// names another host, a TLS client facing a plaintext server, or the other way round. grpc-js
// reports all of them as UNAVAILABLE, with the TLS or HTTP/2 error in the message.
import type { SecurityRemedies } from './channel-security.js';
import { parseServerAddress } from './server-address.js';

const UNTRUSTED = /self[- ]signed certificate|unable to (?:verify|get local issuer)|certificate (?:has expired|is not yet valid|signature failure|chain)|unknown ca|CERT_/i;
const OTHER_HOST = /altnames|ERR_TLS_CERT_ALTNAME_INVALID/;
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|ssl3_get_record/i;
/** grpc-js's text when TCP connected but the peer closed before speaking HTTP/2 (a TLS server, to a plaintext client). */
const NO_HTTP2 = /Last error: Failed to connect \(/;

/**
 * The fix for `error` when it is a TLS mismatch or an untrusted certificate at `address`, or
 * undefined when it is something else.
 *
 * @example
 * tlsFailureFix('grpcs://10.0.0.2:8470', new Error('14 UNAVAILABLE: ... Error: self-signed certificate'), remedies);
 * // "the server's certificate at grpcs://10.0.0.2:8470 is not signed by an authority this client trusts: ..."
 */
export function tlsFailureFix(address: string, error: Error, remedies: SecurityRemedies): string | undefined {
  let parsed;
  try {
    parsed = parseServerAddress(address);
  } catch {
    return undefined;
  }
  const text = error.message;
  if (parsed.tls) {
    if (OTHER_HOST.test(text)) {
      return `the server's certificate does not name ${parsed.host}: connect by a host name the certificate holds (its subject alternative names), or set tls.serverNameOverride to one of them.`;
    }
    if (UNTRUSTED.test(text)) {
      return `the server's certificate at ${address} is not signed by an authority this client trusts: pass the certificate of its authority (the server's --tls-cert file when it is self-signed) through ${remedies.tls}.`;
    }
    if (NOT_TLS.test(text)) {
      return `the server at ${address} does not speak TLS: start it with --tls-cert/--tls-key, or use 'grpc://${parsed.target}' for a plaintext server (on loopback or through an SSH tunnel).`;
    }
    return undefined;
  }
  if (NO_HTTP2.test(text)) {
    return `something at ${address} accepted the connection but did not speak plaintext gRPC: a server started with --tls-cert/--tls-key needs 'grpcs://${parsed.target}' (with ${remedies.tls} when its certificate is self-signed).`;
  }
  return undefined;
}
