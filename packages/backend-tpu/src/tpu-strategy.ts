import { XlaStrategy, type XlaStrategyOptions, type XlaStrategyProfile } from '@strata/xla';

export interface TpuStrategyOptions extends XlaStrategyOptions {
  /** The XLA server of the TPU host, 'grpc://host:port'. Default: STRATA_TPU_ADDRESS, else 'grpc://127.0.0.1:8470'. */
  readonly address?: string;
  /** Bearer token, when the server requires one. Default: STRATA_TPU_TOKEN. */
  readonly token?: string;
}

/** The TPU strategy's name, rank and wording; everything else is `XlaStrategy`'s. */
export const TPU_PROFILE: XlaStrategyProfile = {
  name: 'tpu',
  priority: 50,
  title: 'TPU',
  className: 'TpuStrategy',
  addressEnv: 'STRATA_TPU_ADDRESS',
  tokenEnv: 'STRATA_TPU_TOKEN',
};

/**
 * Trains on the TPU cores of a Strata XLA server: the XLA strategy of @strata/xla under the
 * name 'tpu', with its address and token from STRATA_TPU_ADDRESS and STRATA_TPU_TOKEN. Each
 * step is recorded, lowered to one StableHLO program, compiled once by the server and run
 * where the weights live; with `cores: N` the batch is split over N cores.
 *
 * @example
 * const strategy = new TpuStrategy({ address: 'grpc://10.0.0.2:8470', cores: 8, precision: 'bf16-mixed' });
 * const trainer = new Trainer({ strategy, maxEpochs: 10 });
 */
export class TpuStrategy extends XlaStrategy {
  declare readonly name: 'tpu';

  constructor(options: TpuStrategyOptions = {}) {
    super(options, TPU_PROFILE);
  }
}
