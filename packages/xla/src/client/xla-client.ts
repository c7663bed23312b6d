import * as grpc from '@grpc/grpc-js';
import { StrataError } from '@strata/core';
import { DEFAULT_SECURITY_REMEDIES, channelSecurity, type ChannelSecurityOptions, type SecurityRemedies } from './channel-security.js';
import { xlaServiceClient } from './proto-loader.js';
import { parseServerAddress, portOf } from './server-address.js';
import { startXlaServerHint } from './server-start-hint.js';
import { tlsFailureFix } from './tls-failure.js';

/** HealthReply of the protocol. */
export interface ServerHealth {
  readonly ok: boolean;
  readonly platform: string;
  readonly device_count: number;
  readonly server_version: string;
  readonly jax_version: string;
  /** This server's process in a mesh of several servers (0 on a server of its own). */
  readonly process_index: number;
  /** Processes of the mesh (1 on a server of its own). */
  readonly process_count: number;
  /** Devices of this process; `device_count` counts the whole mesh's. */
  readonly local_device_count: number;
  /** The same on every member of one mesh; '' on a server of its own. */
  readonly mesh_id: string;
}

/** Device of the protocol. */
export interface ServerDevice {
  readonly id: number;
  readonly platform: string;
  readonly kind: string;
  readonly memory_bytes: number;
  /** The mesh process whose server holds the device (0 on a server of its own). */
  readonly process_index: number;
}

/** How a client's error remedies tell the user to change the server address, the token and TLS. */
export interface ClientRemedies extends Partial<SecurityRemedies> {
  /** Completes "start the server (...) or ...", e.g. 'set STRATA_XLA_ADDRESS'. */
  readonly address: string;
  /** Completes "pass the server's token: ...", e.g. 'new XlaStrategy({ token }) or STRATA_XLA_TOKEN'. */
  readonly token: string;
}

const DEFAULT_REMEDIES: ClientRemedies = {
  address: "pass the strategy's address option",
  token: "the strategy's token option",
};

type Callback<T> = (error: grpc.ServiceError | null, reply: T) => void;
// The stub's methods are generated at runtime from the .proto.
type Stub = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** 'grpc://host:8470', 'grpcs://host:8470' or 'host:8470' to the 'host:8470' grpc-js wants. */
export function targetOf(address: string): string {
  return parseServerAddress(address).target;
}

/**
 * A connection to one Strata XLA server: the protocol's calls with the bearer token attached,
 * as promises. Sessions are opened by `XlaSession.open(client, ...)`. A 'grpcs://' address
 * speaks TLS and sends the token as call credentials; a plaintext 'grpc://' address sends it
 * as metadata, and refuses to beyond loopback unless `allowPlaintextToken` says the network
 * is trusted.
 *
 * @example
 * const client = new XlaClient('grpc://127.0.0.1:8470');
 * console.log(await client.health(1000));
 * client.close();
 * @example
 * const remote = new XlaClient('grpcs://10.0.0.2:8470', token, undefined, { tls: { caFile: 'server-cert.pem' } });
 */
export class XlaClient {
  readonly stub: Stub;
  /** True over TLS: the channel's call credentials carry the token. */
  private readonly tokenInCredentials: boolean;

  /**
   * @param remedies how error fixes name the address, token and TLS settings; a strategy
   *   passes its own (its environment variables and class name).
   * @param security TLS settings of a 'grpcs://' address, and the opt-in to a plaintext token
   *   beyond loopback.
   */
  constructor(
    readonly address: string,
    private readonly token?: string,
    private readonly remedies: ClientRemedies = DEFAULT_REMEDIES,
    security: ChannelSecurityOptions = {},
  ) {
    const channel = channelSecurity(address, token, security, this.securityRemedies());
    this.tokenInCredentials = channel.tokenInCredentials;
    const Service = xlaServiceClient();
    this.stub = new Service(channel.target, channel.credentials, {
      ...channel.channelOptions,
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    }) as unknown as Stub;
  }

  /** Metadata every call carries: the bearer token on a plaintext channel (over TLS the call credentials add it). */
  metadata(): grpc.Metadata {
    const m = new grpc.Metadata();
    if (this.token && !this.tokenInCredentials) m.set('authorization', `Bearer ${this.token}`);
    return m;
  }

  /**
   * One unary call; errors become `server-error` StrataErrors naming the call.
   * @param onCall receives the call as it starts, for a caller that may cancel it.
   */
  unary<Res>(method: string, request: object, deadlineMs?: number, onCall?: (call: grpc.Call) => void): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const options: grpc.CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      const done: Callback<Res> = (error, reply) => (error ? reject(this.wrap(method, error)) : resolve(reply));
      const call = this.stub[method](request, this.metadata(), options, done) as grpc.Call;
      onCall?.(call);
    });
  }

  health(deadlineMs = 2000): Promise<ServerHealth> {
    return this.unary<ServerHealth>('Health', {}, deadlineMs);
  }

  async listDevices(deadlineMs = 10_000): Promise<ServerDevice[]> {
    const reply = await this.unary<{ devices: ServerDevice[] }>('ListDevices', {}, deadlineMs);
    return reply.devices;
  }

  close(): void {
    this.stub.close();
  }

  wrap(method: string, error: grpc.ServiceError | Error): StrataError {
    const code = (error as grpc.ServiceError).code;
    const fix =
      tlsFailureFix(this.address, error, this.securityRemedies()) ??
      (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED
        ? `${startXlaServerHint(portOf(this.address))}; or ${this.remedies.address} (a running server's address). It was looked for at ${this.address}.`
        : code === grpc.status.UNAUTHENTICATED || code === grpc.status.PERMISSION_DENIED
          ? `pass the server's token: ${this.remedies.token}.`
          : code === grpc.status.RESOURCE_EXHAUSTED
            ? 'raise the session memory quota (server --memory-quota-bytes) or use a smaller batch.'
            : 'see the server log for the cause.');
    return new StrataError('server-error', `XLA server call ${method} failed: ${grpcErrorText(error)}`, { value: method, fix, cause: error });
  }

  private securityRemedies(): SecurityRemedies {
    return {
      tls: this.remedies.tls ?? DEFAULT_SECURITY_REMEDIES.tls,
      plaintextToken: this.remedies.plaintextToken ?? DEFAULT_SECURITY_REMEDIES.plaintextToken,
    };
  }
}

/**
 * A gRPC error's message without the empty "Resolution note: " that grpc-js appends when the
 * name resolver left no note ("14 UNAVAILABLE: No connection established. Last error: ...").
 */
export function grpcErrorText(error: Error): string {
  return error.message.replace(/\s*Resolution note:[ \t]*(?=\n|$)/g, '');
}
