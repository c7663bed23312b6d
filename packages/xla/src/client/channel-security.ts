// How a client reaches its server safely: TLS for 'grpcs://' addresses (Node's root
// certificates, or a given CA), the bearer token as call credentials over TLS, and a refusal to
// send the token in clear text beyond loopback unless the user says the network is trusted.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { StrataError, errorReason } from '@strata/core';
import { isLoopbackHost, parseServerAddress, portOf } from './server-address.js';

/** TLS settings of a 'grpcs://' address. Without any, the server's certificate must chain to Node's root certificates. */
export interface XlaTlsOptions {
  /**
   * PEM text of the certificate authority that signed the server's certificate, or the
   * server's own certificate when it is self-signed (the file given to the server's --tls-cert).
   */
  readonly caCertificate?: string | Buffer;
  /** A PEM file holding the same. */
  readonly caFile?: string;
  /**
   * The name the server's certificate is checked against when it differs from the address's
   * host (gRPC's `grpc.ssl_target_name_override`), e.g. 'localhost' for a tunnel to a
   * certificate made for that name.
   */
  readonly serverNameOverride?: string;
}

/** How the channel to the server is secured. */
export interface ChannelSecurityOptions {
  /** TLS settings; only for 'grpcs://' addresses. */
  readonly tls?: XlaTlsOptions;
  /**
   * Send the token over a plaintext 'grpc://' address that is not loopback. Only on a network
   * where nobody else can read the traffic; default false (such a connection is refused).
   */
  readonly allowPlaintextToken?: boolean;
}

/** How the errors of this module tell the user to set the TLS options (a strategy passes its own names). */
export interface SecurityRemedies {
  /** e.g. "new XlaStrategy({ tls: { caFile } }) or STRATA_XLA_CA_FILE". */
  readonly tls: string;
  /** e.g. "new XlaStrategy({ allowPlaintextToken: true })". */
  readonly plaintextToken: string;
}

export const DEFAULT_SECURITY_REMEDIES: SecurityRemedies = {
  tls: 'the tls option ({ caFile } or { caCertificate })',
  plaintextToken: 'pass allowPlaintextToken: true',
};

/** What a client needs to open its channel. */
export interface ChannelSecurity {
  /** 'host:port', for grpc-js. */
  readonly target: string;
  readonly credentials: grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  /** True over TLS: the token travels as call credentials, so per-call metadata carries none. */
  readonly tokenInCredentials: boolean;
}

/**
 * The credentials and channel options of a connection to `address`: TLS with the bearer token
 * as call credentials for 'grpcs://', plaintext for 'grpc://' (refused with a token beyond
 * loopback unless `allowPlaintextToken`).
 *
 * @example
 * const security = channelSecurity('grpcs://10.0.0.2:8470', token, { tls: { caFile: 'server.pem' } });
 * new Service(security.target, security.credentials, security.channelOptions);
 */
export function channelSecurity(
  address: string,
  token: string | undefined,
  options: ChannelSecurityOptions = {},
  remedies: SecurityRemedies = DEFAULT_SECURITY_REMEDIES,
): ChannelSecurity {
  const parsed = parseServerAddress(address);
  if (!parsed.tls) {
    if (options.tls !== undefined) {
      throw new StrataError('invalid-option', `TLS options were given for the plaintext address ${address}.`, {
        value: address,
        fix: `write the address as 'grpcs://${parsed.target}' to connect over TLS (the server started with --tls-cert/--tls-key), or leave the tls option out.`,
      });
    }
    if (token && !options.allowPlaintextToken && !isLoopbackHost(parsed.host)) throw plaintextTokenRefused(address, parsed.target, remedies);
    return { target: parsed.target, credentials: grpc.credentials.createInsecure(), channelOptions: {}, tokenInCredentials: false };
  }
  const tls = options.tls ?? {};
  const ssl = grpc.credentials.createSsl(caCertificate(tls, remedies) ?? null);
  const channelOptions: grpc.ChannelOptions = {};
  if (tls.serverNameOverride !== undefined) {
    if (typeof tls.serverNameOverride !== 'string' || tls.serverNameOverride.trim() === '') {
      throw new StrataError('invalid-option', `Invalid option tls.serverNameOverride: received ${JSON.stringify(tls.serverNameOverride)}.`, {
        value: tls.serverNameOverride,
        fix: "give the host name the server's certificate was made for (its subject alternative name), or leave the option out.",
      });
    }
    channelOptions['grpc.ssl_target_name_override'] = tls.serverNameOverride;
    channelOptions['grpc.default_authority'] = tls.serverNameOverride;
  }
  const credentials = token ? grpc.credentials.combineChannelCredentials(ssl, bearerCredentials(token)) : ssl;
  return { target: parsed.target, credentials, channelOptions, tokenInCredentials: Boolean(token) };
}

/** `authorization: Bearer TOKEN` on every call, as gRPC call credentials (sent over TLS only). */
function bearerCredentials(token: string): grpc.CallCredentials {
  return grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    callback(null, metadata);
  });
}

/** The CA certificate the options give (checked to be PEM), or undefined for Node's roots. */
function caCertificate(tls: XlaTlsOptions, remedies: SecurityRemedies): Buffer | undefined {
  if (tls.caCertificate !== undefined && tls.caFile !== undefined) {
    throw new StrataError('invalid-option', `Both tls.caCertificate and tls.caFile were given (caFile ${JSON.stringify(tls.caFile)}).`, {
      value: tls.caFile,
      fix: 'pass one of them: the PEM text, or the path of the PEM file.',
    });
  }
  if (tls.caFile !== undefined) {
    let pem: Buffer;
    try {
      pem = readFileSync(tls.caFile);
    } catch (error) {
      throw new StrataError('invalid-option', `Cannot read the CA certificate file ${JSON.stringify(tls.caFile)}: ${errorReason(error)}.`, {
        value: tls.caFile,
        fix: `pass the PEM file of the certificate that signed the server's certificate (the server's --tls-cert file when it is self-signed) through ${remedies.tls}.`,
        cause: error,
      });
    }
    return checkedPem(pem, `in the file ${JSON.stringify(tls.caFile)}`, remedies);
  }
  if (tls.caCertificate !== undefined) {
    const pem = typeof tls.caCertificate === 'string' ? Buffer.from(tls.caCertificate) : tls.caCertificate;
    return checkedPem(pem, 'given as tls.caCertificate', remedies);
  }
  return undefined;
}

/** The PEM certificate(s), once Node's X.509 parser has read the first one. */
function checkedPem(pem: Buffer, where: string, remedies: SecurityRemedies): Buffer {
  let problem: string | undefined;
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) problem = 'no "-----BEGIN CERTIFICATE-----" block';
  else {
    try {
      new X509Certificate(pem);
    } catch (error) {
      problem = errorReason(error);
    }
  }
  if (problem !== undefined) {
    throw new StrataError('invalid-option', `The CA certificate ${where} is not a PEM certificate: ${problem}.`, {
      fix: `pass the PEM certificate that signed the server's certificate (the server's --tls-cert file when it is self-signed) through ${remedies.tls}.`,
    });
  }
  return pem;
}

function plaintextTokenRefused(address: string, target: string, remedies: SecurityRemedies): StrataError {
  const port = portOf(address) ?? 8470;
  return new StrataError(
    'invalid-option',
    `Refusing to send the XLA server's token in clear text to ${address}: it is not a loopback address, so anyone on the network path could read the token and run programs on the server's devices.`,
    {
      value: address,
      fix: `connect over TLS: start the server with --tls-cert/--tls-key and use 'grpcs://${target}' (with ${remedies.tls} when its certificate is self-signed); or reach it through an SSH tunnel (ssh -L ${port}:127.0.0.1:${port} HOST) and use 'grpc://127.0.0.1:${port}'; or, only on a network you trust, ${remedies.plaintextToken}.`,
    },
  );
}
