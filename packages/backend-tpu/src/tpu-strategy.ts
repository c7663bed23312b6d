import { XlaStrategy, type XlaStrategyOptions, type XlaStrategyProfile, type XlaTlsOptions } from '@strata/xla';

export interface TpuStrategyOptions extends XlaStrategyOptions {
  /**
   * The XLA server of the TPU host: 'grpc://host:port' (plaintext: loopback or an SSH tunnel) or
   * 'grpcs://host:port' (TLS). Default: STRATA_TPU_ADDRESS, else 'grpc://127.0.0.1:8470'.
   * Several addresses separated by commas (here or in STRATA_TPU_ADDRESS) are one mesh, as `addresses`.
   */
  readonly address?: string;
  /**
   * The servers of the hosts of a TPU pod slice (or several GPU machines), started as one jax
   * mesh (`--distributed-auto` on a pod slice; else `--coordinator-address`, `--num-processes`
   * and `--process-id`), trained on as one strategy over all their cores.
   */
  readonly addresses?: readonly string[];
  /** Bearer token, when the server requires one. Default: STRATA_TPU_TOKEN. */
  readonly token?: string;
  /** TLS settings of a 'grpcs://' address. Default CA file: STRATA_TPU_CA_FILE, else Node's root certificates. */
  readonly tls?: XlaTlsOptions;
}

/** The TPU strategy's name, rank and wording; everything else is `XlaStrategy`'s. */
export const TPU_PROFILE: XlaStrategyProfile = {
  name: 'tpu',
  priority: 50,
  title: 'TPU',
  className: 'TpuStrategy',
  addressEnv: 'STRATA_TPU_ADDRESS',
  tokenEnv: 'STRATA_TPU_TOKEN',
  caFileEnv: 'STRATA_TPU_CA_FILE',
};

/**
 * Trains on the TPU cores of a Strata XLA server: the XLA strategy of @strata/xla under the
 * name 'tpu', with its address, token and CA file from STRATA_TPU_ADDRESS, STRATA_TPU_TOKEN and
 * STRATA_TPU_CA_FILE. Each step is recorded, lowered to one StableHLO program, compiled once by
 * the server and run where the weights live; with `cores: N` the batch is split over N cores,
 * of one host or, with several `addresses`, of every host of the mesh.
 *
 * @example
 * const strategy = new TpuStrategy({ address: 'grpc://10.0.0.2:8470', cores: 8, precision: 'bf16-mixed' });
 * const trainer = new Trainer({ strategy, maxEpochs: 10 });
 * @example
 * // Over TLS to a server started with --tls-cert cert.pem --tls-key key.pem --token-file token:
 * const remote = new TpuStrategy({ address: 'grpcs://10.0.0.2:8470', token, tls: { caFile: 'cert.pem' } });
 * @example
 * // A pod slice of two hosts with 4 cores each, one server per host started with --distributed-auto
 * // (or STRATA_TPU_ADDRESS=grpc://10.0.0.2:8470,grpc://10.0.0.3:8470 and --tpu-cores 8):
 * const pod = new TpuStrategy({ addresses: ['grpc://10.0.0.2:8470', 'grpc://10.0.0.3:8470'], cores: 8 });
 */
export class TpuStrategy extends XlaStrategy {
  declare readonly name: 'tpu';

  constructor(options: TpuStrategyOptions = {}) {
    super(options, TPU_PROFILE);
  }
}
