// What an XlaStrategy is given: its options, and the profile a device-specific subclass passes.
import type { Precision, StrategyName } from '@strata/core';
import type { XlaTlsOptions } from './client/channel-security.js';

export interface XlaStrategyOptions {
  /**
   * The XLA server: 'grpc://host:port' (plaintext) or 'grpcs://host:port' (TLS, a server started
   * with --tls-cert/--tls-key). Default: the profile's address variable, else 'grpc://127.0.0.1:8470'.
   */
  readonly address?: string;
  /**
   * Several XLA servers started as one jax multi-process mesh (each with --coordinator-address,
   * --num-processes and its --process-id), driven as one strategy: every program is compiled
   * over all their devices, each server holds its share of the batch, and XLA all-reduces the
   * gradients across them. A comma-separated `address` (or address variable) says the same.
   */
  readonly addresses?: readonly string[];
  /**
   * Devices to run data parallel over (the batch is split, the gradients all-reduced by XLA);
   * -1: all the server has (all the mesh has, with several addresses: then a multiple of the
   * number of servers). Default 1 for one server; with several servers, -1 (the whole mesh).
   */
  readonly cores?: number;
  /** Strategy-neutral spelling of `cores` (the Trainer's and the examples' `devices`). */
  readonly devices?: number;
  /**
   * Bearer token, when the server requires one. Default: the profile's token variable. It is
   * sent over TLS ('grpcs://') or to a loopback address; a plaintext address beyond loopback
   * is refused unless `allowPlaintextToken` is set.
   */
  readonly token?: string;
  /**
   * TLS settings of a 'grpcs://' address: the CA certificate that signed the server's
   * certificate (the server's own certificate when self-signed), and the name to check it
   * against. Default: the CA file of the profile's CA variable, else Node's root certificates.
   */
  readonly tls?: XlaTlsOptions;
  /**
   * Send the token in clear text to a 'grpc://' address that is not loopback: only on a network
   * where nobody else can read the traffic. Default false.
   */
  readonly allowPlaintextToken?: boolean;
  /**
   * '32' (default); 'bf16-mixed': bf16 operands for matmuls and convolutions, f32 accumulation
   * and f32 master weights; '16-mixed': the same with f16 (pair it with the Trainer's dynamic
   * loss scaling). Applied when the step is lowered; `setPrecision` changes it later.
   */
  readonly precision?: Precision;
  /** Session memory quota on the server; 0 or absent: the server's default. */
  readonly memoryQuotaBytes?: number;
  /** Deadline of the Health probe of `isAvailable()`, in ms. Default 1500. */
  readonly probeTimeoutMs?: number;
}

/**
 * What a strategy built on `XlaStrategy` calls itself. A subclass for one kind of device (a
 * TPU host, XLA:GPU, several hosts) passes its own; the rest of the strategy is shared.
 */
export interface XlaStrategyProfile {
  /** The strategy's name, as `Trainer({ strategy })` and the DI container spell it. */
  readonly name: StrategyName;
  /** Rank when the selection is 'auto': higher wins among available strategies. */
  readonly priority: number;
  /** How messages name the strategy: `The ${title} strategy ...`. */
  readonly title: string;
  /** The class users construct, named in remedies: `new ${className}({ token })`. */
  readonly className: string;
  /** Environment variable of the default server address. */
  readonly addressEnv: string;
  /** Environment variable of the default bearer token. */
  readonly tokenEnv: string;
  /** Environment variable of the default CA certificate file of 'grpcs://' addresses; absent: none is read. */
  readonly caFileEnv?: string;
}

/** The generic strategy's profile: any XLA server, ranked below the device-specific strategies. */
export const XLA_PROFILE: XlaStrategyProfile = {
  name: 'xla',
  priority: 40,
  title: 'XLA',
  className: 'XlaStrategy',
  addressEnv: 'STRATA_XLA_ADDRESS',
  tokenEnv: 'STRATA_XLA_TOKEN',
  caFileEnv: 'STRATA_XLA_CA_FILE',
};

/** The server address when neither the option nor the profile's variable gives one. */
export const DEFAULT_XLA_ADDRESS = 'grpc://127.0.0.1:8470';
