import * as tf from '@tensorflow/tfjs-core';
import {
  PRECISIONS,
  PreviousBackend,
  StrataError,
  errorReason,
  invalidOption,
  type Availability,
  type CompileStepOptions,
  type CompiledStep,
  type DeviceReport,
  type DistributionStrategy,
  type PreflightReport,
  type Precision,
  type ReduceOp,
  type StrategyCapabilities,
  type StrategyName,
} from '@strata/core';
import type { XlaTlsOptions } from './client/channel-security.js';
import { XLA_PROFILE, type XlaStrategyOptions, type XlaStrategyProfile } from './xla-strategy-profile.js';
import { isTlsAddress } from './client/server-address.js';
import { XlaClient, type ClientRemedies, type ServerDevice, type ServerHealth } from './client/xla-client.js';
import { XlaSession, type SessionUsage } from './client/xla-session.js';
import type { MeshSession } from './client/mesh-session.js';
import { meshAvailability, meshDevices, openMesh, serverAddressesOf } from './mesh-setup.js';
import { startXlaServerHint } from './client/server-start-hint.js';
import { CompiledStepRunner } from './compiled/compiled-step.js';
import { XlaBackend } from './lazy/xla-backend.js';
import { XLA_BACKEND_NAME, registerXlaKernels } from './register-kernels.js';

export { DEFAULT_XLA_ADDRESS, XLA_PROFILE, type XlaStrategyOptions, type XlaStrategyProfile } from './xla-strategy-profile.js';

/**
 * Trains on a Strata XLA server (TPU, GPU or CPU devices): tfjs kernels are recorded into a
 * graph, each step is lowered to one StableHLO program, compiled once by the server and run
 * where the weights live. With `cores: N` the batch is split over N devices and XLA's SPMD
 * partitioner inserts the gradient all-reduce. Device-specific strategies subclass it with
 * their own `XlaStrategyProfile` (name, priority, wording, environment variables).
 *
 * @example
 * const strategy = new XlaStrategy({ address: 'grpc://127.0.0.1:8470', cores: 8, precision: 'bf16-mixed' });
 * const trainer = new Trainer({ strategy, maxEpochs: 10 });
 * @example
 * // A remote server started with --tls-cert cert.pem --tls-key key.pem --token-file token:
 * const remote = new XlaStrategy({ address: 'grpcs://10.0.0.2:8470', token, tls: { caFile: 'cert.pem' } });
 * @example
 * // Two hosts of 4 devices, their servers one mesh (--coordinator-address, --num-processes 2, --process-id 0 and 1):
 * const mesh = new XlaStrategy({ addresses: ['grpc://10.0.0.2:8470', 'grpc://10.0.0.3:8470'], cores: 8 });
 */
export class XlaStrategy implements DistributionStrategy {
  readonly name: StrategyName;
  readonly priority: number;
  /** The server's address; a subclass that starts its own server sets it in `setup()`. */
  protected serverAddress: string;
  /** With several servers: their addresses (in process order after `setup()`) and clients; else empty. */
  private meshAddresses: string[];
  private meshClients: XlaClient[] = [];
  /** Devices asked for; -1 (all the server has) until `setup()` learns how many that is. */
  protected cores: number;
  protected token: string | undefined;
  protected precision: Precision;
  protected client: XlaClient | null = null;
  protected session: XlaSession | MeshSession | null = null;
  protected backend: XlaBackend | null = null;
  protected health: ServerHealth | null = null;
  private readonly compiledSteps = new Set<{ forget(backend: XlaBackend): void }>();
  protected devices: ServerDevice[] = [];
  private readonly previousBackend = new PreviousBackend();

  constructor(
    protected readonly options: XlaStrategyOptions = {},
    protected readonly profile: XlaStrategyProfile = XLA_PROFILE,
  ) {
    this.name = profile.name;
    this.priority = profile.priority;
    const addresses = serverAddressesOf(options, profile);
    this.serverAddress = addresses[0];
    this.meshAddresses = addresses.length > 1 ? addresses : [];
    // `devices` is the strategy-neutral spelling (Trainer({ devices }), --devices). Several
    // servers are given to use them all: the default is then every device of the mesh.
    const cores = options.cores ?? options.devices ?? (addresses.length > 1 ? -1 : 1);
    if (!Number.isInteger(cores) || (cores < 1 && cores !== -1)) invalidOption('cores', cores, 'a positive integer (devices to run on), or -1 for all');
    this.cores = cores;
    this.token = options.token ?? process.env[profile.tokenEnv];
    this.precision = options.precision ?? '32';
    if (!PRECISIONS.includes(this.precision)) invalidOption('precision', this.precision, `one of ${PRECISIONS.join(', ')}`);
  }

  /** The server's address, 'grpc://host:port'; with several servers, their addresses joined by commas. */
  get address(): string {
    return this.meshAddresses.length > 0 ? this.meshAddresses.join(',') : this.serverAddress;
  }

  /** The servers' addresses: one, or those of the mesh (in process order after `setup()`). */
  get addresses(): readonly string[] {
    return this.meshAddresses.length > 0 ? this.meshAddresses : [this.serverAddress];
  }

  /** Devices a step runs on; with -1 (all), 1 until `setup()` has asked the server. */
  get numReplicas(): number {
    return this.cores === -1 ? (this.health?.device_count ?? 1) : this.cores;
  }

  capabilities(): StrategyCapabilities {
    return {
      precisions: ['32', '16-mixed', 'bf16-mixed'],
      maxReplicas: this.health?.device_count ?? Math.max(this.cores, 1),
      compilesSteps: true,
      syncReads: false,
    };
  }

  /**
   * Sets the precision of the programs lowered from now on (the Trainer calls it).
   *
   * @example
   * strategy.setPrecision('bf16-mixed');
   */
  setPrecision(precision: Precision): void {
    if (!PRECISIONS.includes(precision)) {
      throw new StrataError('unsupported-precision', `The ${this.profile.title} strategy has no precision ${JSON.stringify(precision)}.`, {
        value: precision,
        fix: `use one of ${PRECISIONS.map((p) => `'${p}'`).join(', ')}.`,
      });
    }
    this.precision = precision;
    this.backend?.setPrecision(precision);
  }

  getPrecision(): Precision {
    return this.precision;
  }

  async isAvailable(): Promise<Availability> {
    if (this.meshAddresses.length > 0) {
      const clients = this.meshAddresses.map((address) => this.connect(address));
      return meshAvailability(clients, this.cores, this.options.probeTimeoutMs ?? 1500, this.profile.className, engineOf);
    }
    let client: XlaClient | undefined;
    try {
      client = this.connect();
      const health = await client.health(this.options.probeTimeoutMs ?? 1500);
      if (!health.ok) {
        return { available: false, reason: `the XLA server at ${this.address} reports it is not healthy.`, remedy: 'see the server log.' };
      }
      if (this.cores !== -1 && health.device_count < this.cores) {
        return {
          available: false,
          reason: `the XLA server at ${this.address} has ${health.device_count} device(s), ${this.cores} cores were asked for.`,
          remedy: `use cores: ${health.device_count} or a server with more devices.`,
        };
      }
      return { available: true, engine: engineOf(health) };
    } catch (error) {
      return {
        available: false,
        reason: `no XLA server answered at ${this.address}: ${errorReason(error)}`,
        remedy: error instanceof StrataError && error.fix ? error.fix : `${startXlaServerHint()}; or set ${this.profile.addressEnv} to a running server's address.`,
      };
    } finally {
      client?.close();
    }
  }

  async setup(): Promise<void> {
    if (this.session !== null) return;
    if (this.meshAddresses.length > 0) await this.openMesh();
    else await this.openSession();
    registerXlaKernels();
    const session = this.session!;
    if (this.backend === null) this.backend = new XlaBackend(session, this.precision);
    else this.backend.setExecutor(session);
    if (tf.findBackend(XLA_BACKEND_NAME) !== this.backend) {
      // Another XLA strategy (or an earlier setup) registered its own: this one takes the name.
      if (tf.findBackendFactory(XLA_BACKEND_NAME) !== null) tf.removeBackend(XLA_BACKEND_NAME);
      const backend = this.backend;
      tf.registerBackend(XLA_BACKEND_NAME, () => backend);
    }
    this.previousBackend.remember();
    await tf.setBackend(XLA_BACKEND_NAME);
    await tf.ready();
  }

  /** Opens the session on the one server. */
  private async openSession(): Promise<void> {
    const client = this.connect();
    try {
      this.health = await client.health(10_000);
      this.devices = await client.listDevices();
      if (this.cores === -1) this.cores = this.health.device_count;
      if (this.health.device_count < this.cores) {
        throw new StrataError('strategy-unavailable', `The XLA server at ${this.address} has ${this.health.device_count} device(s); cores: ${this.cores} was asked for.`, {
          value: this.cores,
          fix: `use cores: ${this.health.device_count} or less.`,
        });
      }
      this.session = await XlaSession.open(client, { numDevices: this.cores, memoryQuotaBytes: this.options.memoryQuotaBytes });
    } catch (error) {
      client.close();
      throw error;
    }
    this.client = client;
  }

  /** Checks that the servers form one mesh and opens one session over all of them. */
  private async openMesh(): Promise<void> {
    const clients = this.meshAddresses.map((address) => this.connect(address));
    try {
      const mesh = await openMesh(clients, this.cores, { memoryQuotaBytes: this.options.memoryQuotaBytes, className: this.profile.className });
      this.meshClients = mesh.clients;
      this.meshAddresses = mesh.clients.map((c) => c.address);
      this.health = mesh.members[0].health;
      this.devices = mesh.devices;
      this.cores = mesh.cores;
      this.session = mesh.session;
      this.client = mesh.clients[0];
    } catch (error) {
      for (const client of clients) client.close();
      throw error;
    }
  }

  async teardown(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session === null) return;
    try {
      await session.close();
    } catch {
      // The server may be gone already; the session dies with it.
    }
    if (this.backend !== null) for (const step of this.compiledSteps) step.forget(this.backend);
    this.compiledSteps.clear();
    this.backend?.setExecutor(null);
    // On a mesh, the first member's client is also `client`: each is closed once.
    for (const client of new Set([this.client, ...this.meshClients])) client?.close();
    this.client = null;
    this.meshClients = [];
    await this.previousBackend.restore(XLA_BACKEND_NAME);
  }

  scope<T>(fn: () => T): T {
    this.activate();
    return fn();
  }

  distributeBatch<T extends tf.TensorContainer>(batch: T): T {
    const backend = this.activate();
    for (const t of tensorsIn(batch)) {
      if (tf.engine().state.tensorInfo.get(t.dataId)?.backend !== backend) tf.engine().moveData(backend, t.dataId);
      if (this.cores > 1) backend.setPlacement(t.dataId, 'split');
      // The upload starts now and overlaps with recording the step.
      backend.prefetch(t.dataId);
    }
    return batch;
  }

  async runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    const backend = this.activate();
    // Whatever was recorded before the step (initialisers, metrics) runs as its own program,
    // so the step's program is the same from one step to the next.
    await backend.flushAll();
    const t0 = performance.now();
    const out = tf.tidy(step);
    backend.stats.recordMs += performance.now() - t0;
    try {
      await backend.flushAll();
    } catch (error) {
      // The step's results were never computed: nobody gets them to dispose.
      tf.dispose(out);
      throw error;
    }
    return out;
  }

  /**
   * A step traced once per signature and replayed without running its JavaScript (see
   * `DistributionStrategy.compileStep`).
   *
   * @example
   * const step = strategy.compileStep(({ x, y }) => { ... return { loss }; }, { name: 'training step' });
   * const { loss } = await step({ x, y });
   */
  compileStep<I extends tf.TensorContainer, O extends tf.TensorContainer>(fn: (inputs: I) => O, options?: CompileStepOptions): CompiledStep<I, O> {
    const runner = new CompiledStepRunner(() => this.activate(), fn, options);
    this.compiledSteps.add(runner);
    return Object.assign((inputs: I, key?: string) => runner.call(inputs, key), { many: (inputs: readonly I[], key?: string) => runner.callMany(inputs, key) });
  }

  reduce(_op: ReduceOp, value: tf.Tensor): tf.Tensor {
    // SPMD: a value computed from the whole global batch is already reduced over replicas.
    return value;
  }

  async read(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
    return (await tensor.data()) as Float32Array | Int32Array | Uint8Array;
  }

  describe(): DeviceReport {
    const engine = this.health ? engineOf(this.health) : `XLA server at ${this.address} (not connected)`;
    const processes = this.health?.process_count ?? 1;
    const used = this.meshAddresses.length > 0 ? meshDevices(this.devices, this.numReplicas, processes) : this.devices.slice(0, this.numReplicas);
    return {
      strategy: this.name,
      engine,
      backend: XLA_BACKEND_NAME,
      numReplicas: this.numReplicas,
      devices: used.map((d) => `${d.platform}:${d.id} (${d.kind})`),
      details: {
        address: this.address,
        ...(this.meshAddresses.length > 0 ? { hosts: this.meshAddresses.join(', '), processes: String(processes), mesh: this.health?.mesh_id ?? 'unknown' } : {}),
        tfjs: tf.version_core,
        precision: this.precision,
        serverDevices: String(this.devices.length),
        jax: this.health?.jax_version ?? 'unknown',
        server: this.health?.server_version ?? 'unknown',
        compilations: String(this.backend?.stats.compilations ?? 0),
      },
    };
  }

  /**
   * Records the probe without running it: every kernel it calls must have a lowering. Kernels
   * without one are run on the CPU backend (zeros of the right shape) only so that the probe
   * can go on and one preflight names them all.
   */
  async preflight(probe: () => unknown): Promise<PreflightReport> {
    const backend = this.activate();
    const { preflightOn } = await import('./preflight-xla.js');
    return preflightOn(backend, this.name, probe);
  }

  /** Counters of the lazy backend: compilations, executions, uploads. */
  stats(): XlaBackend['stats'] {
    return this.activate().stats;
  }

  /**
   * Buffers and bytes this strategy's session holds on the server, once pending releases
   * are done: constant from step to step when nothing leaks.
   */
  async serverUsage(): Promise<SessionUsage> {
    const backend = this.activate();
    await backend.drain();
    return this.session!.usage();
  }

  /** The lazy tfjs backend (after `setup()`). */
  xlaBackend(): XlaBackend {
    return this.activate();
  }

  /** The server session programs run on (after `setup()`): an `XlaSession`, or a `MeshSession` over several servers. */
  serverSession(): XlaSession | MeshSession {
    this.activate();
    return this.session!;
  }

  /** A client of this strategy's server, whose error remedies name this strategy's settings. */
  protected connect(address = this.address): XlaClient {
    const { className, caFileEnv } = this.profile;
    const remedies: ClientRemedies = {
      address: `set ${this.profile.addressEnv}`,
      token: `new ${className}({ token }) or ${this.profile.tokenEnv}`,
      tls: `new ${className}({ tls: { caFile } })${caFileEnv ? ` or ${caFileEnv}` : ''}`,
      plaintextToken: `pass new ${className}({ allowPlaintextToken: true })`,
    };
    return new XlaClient(address, this.token, remedies, { tls: this.tlsOptions(address), allowPlaintextToken: this.options.allowPlaintextToken });
  }

  /** The tls option, with the CA file of the profile's variable when the option names no CA and the address is 'grpcs://'. */
  private tlsOptions(address: string): XlaTlsOptions | undefined {
    const tls = this.options.tls;
    const caFile = this.profile.caFileEnv ? process.env[this.profile.caFileEnv] : undefined;
    if (!caFile || !isTlsAddress(address) || tls?.caFile !== undefined || tls?.caCertificate !== undefined) return tls;
    return { ...tls, caFile };
  }

  protected activate(): XlaBackend {
    if (this.session === null || this.backend === null) {
      throw new StrataError('not-set-up', `Strategy '${this.name}' is used before setup().`, {
        fix: 'await strategy.setup() first (the Trainer does this in fit/validate).',
      });
    }
    if (tf.getBackend() !== XLA_BACKEND_NAME) void tf.setBackend(XLA_BACKEND_NAME);
    return this.backend;
  }
}

function engineOf(health: ServerHealth): string {
  if (health.process_count > 1) return `XLA mesh of ${health.process_count} servers (${health.platform}, ${health.device_count} device(s), jax ${health.jax_version})`;
  return `XLA server (${health.platform}, ${health.device_count} device(s), jax ${health.jax_version})`;
}

function tensorsIn(container: tf.TensorContainer): tf.Tensor[] {
  if (container instanceof tf.Tensor) return [container];
  if (container === null || typeof container !== 'object') return [];
  return Object.values(container as Record<string, tf.TensorContainer>).flatMap(tensorsIn);
}
