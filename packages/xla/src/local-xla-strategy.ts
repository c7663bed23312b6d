import type * as tf from '@tensorflow/tfjs-core';
import { StrataError, invalidOption, type Availability, type DeviceReport, type StrataErrorKind, type StrategyCapabilities } from '@strata/core';
import { ChildXlaServer, type ServerExit, type XlaPlatform } from './server/child-xla-server.js';
import { defaultServerPython, inspectServerPython, serverPythonProblem, type ServerPythonEnv } from './server/python-env.js';
import { XlaStrategy, type XlaStrategyOptions, type XlaStrategyProfile } from './xla-strategy.js';

export interface LocalXlaStrategyOptions extends Omit<XlaStrategyOptions, 'address' | 'token' | 'tls' | 'allowPlaintextToken'> {
  /** The platform the server runs on (`JAX_PLATFORMS`); absent: jax's own choice. */
  readonly platform?: XlaPlatform;
  /** Platform 'cpu': the XLA:CPU devices the server shows (forced host devices). Default `devices` (1 for -1). */
  readonly hostDevices?: number;
  /** The Python with jax and Strata's XLA server. Default STRATA_PYTHON, else the workspace's .venv, else python3. */
  readonly python?: string;
  /** How long the server may take to come up, in ms (default 90 s). */
  readonly startTimeoutMs?: number;
}

/** Why the strategy cannot run, and what to do. */
export interface LocalXlaProblem {
  readonly reason: string;
  readonly remedy: string;
  /** The error kind `setup()` throws (default 'strategy-unavailable'). */
  readonly kind?: StrataErrorKind;
  readonly value?: unknown;
}

/** The generic local strategy's profile; device-specific subclasses pass their own. */
export const LOCAL_XLA_PROFILE: XlaStrategyProfile = {
  name: 'xla-local',
  priority: 30,
  title: 'local XLA',
  className: 'LocalXlaStrategy',
  addressEnv: 'STRATA_XLA_ADDRESS',
  tokenEnv: 'STRATA_XLA_TOKEN',
};

/**
 * An `XlaStrategy` on its own XLA server: `setup()` starts `python -m strata_xla_server` as a
 * child process on 127.0.0.1 (with a random token, handed over in a file) on the chosen
 * platform, and `teardown()` stops it; it also dies with this process. A server that dies
 * while training fails the step at once with an error naming its pid, how it ended and its
 * log. With `devices: N` the batch is split over N devices, as on any XLA server.
 *
 * @example
 * // Data parallel over 4 XLA:CPU devices, without any accelerator:
 * const strategy = new LocalXlaStrategy({ platform: 'cpu', devices: 4 });
 */
export class LocalXlaStrategy extends XlaStrategy {
  protected server: ChildXlaServer | null = null;
  protected readonly platform: XlaPlatform | undefined;
  protected readonly python: string;
  protected readonly hostDevices: number;

  constructor(
    protected readonly localOptions: LocalXlaStrategyOptions = {},
    profile: XlaStrategyProfile = LOCAL_XLA_PROFILE,
  ) {
    // The address is the child's, known once it serves.
    super({ ...localOptions, address: 'grpc://127.0.0.1:0', token: undefined }, profile);
    this.platform = localOptions.platform;
    this.python = localOptions.python ?? defaultServerPython();
    const hostDevices = localOptions.hostDevices ?? Math.max(this.cores, 1);
    if (!Number.isInteger(hostDevices) || hostDevices < 1) invalidOption('hostDevices', hostDevices, 'a positive integer (XLA:CPU devices to show)');
    this.hostDevices = hostDevices;
  }

  /** The running server's process id, or undefined. */
  get serverPid(): number | undefined {
    return this.server?.exit === null ? this.server.pid : undefined;
  }

  /** The running server's log file, or undefined. */
  get serverLog(): string | undefined {
    return this.server?.logPath;
  }

  /** Devices a step runs on; with -1 (all), the platform's count where it is known before the server starts. */
  override get numReplicas(): number {
    return this.cores === -1 && this.health === null ? (this.platformDevices()?.count ?? 1) : super.numReplicas;
  }

  override capabilities(): StrategyCapabilities {
    return { ...super.capabilities(), maxReplicas: this.health?.device_count ?? this.platformDevices()?.count ?? Math.max(this.cores, 1) };
  }

  override async isAvailable(): Promise<Availability> {
    const problem = this.problem();
    return problem ? { available: false, reason: problem.reason, remedy: problem.remedy } : { available: true, engine: this.engineName() };
  }

  override async setup(): Promise<void> {
    // After the server died, setting up again starts a new one (the old session went with it).
    if (this.session !== null && this.server?.exit && !this.server.exit.requested) await this.teardown();
    if (this.session !== null) return;
    const problem = this.problem();
    if (problem) {
      throw new StrataError(problem.kind ?? 'strategy-unavailable', `Strategy '${this.name}' is not available here: ${problem.reason}`, { value: problem.value, fix: problem.remedy });
    }
    if (this.server === null || this.server.exit !== null) {
      this.server = await ChildXlaServer.start({
        platform: this.platform,
        hostDevices: this.platform === 'cpu' ? this.hostDevices : undefined,
        python: this.python,
        token: true,
        env: this.serverEnv(),
        startTimeoutMs: this.localOptions.startTimeoutMs,
      });
    }
    this.serverAddress = this.server.address;
    this.token = this.server.token;
    try {
      await this.guard(super.setup());
    } catch (error) {
      await this.stopServer();
      throw error;
    }
  }

  override async teardown(): Promise<void> {
    await super.teardown();
    await this.stopServer();
  }

  override runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    return this.guarded(() => super.runStep(step));
  }

  override read(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
    return this.guarded(() => super.read(tensor));
  }

  override describe(): DeviceReport {
    const report = super.describe();
    const server = this.server;
    return {
      ...report,
      engine: this.engineName(),
      details: {
        ...report.details,
        engine: 'xla',
        platform: this.platform ?? report.details.platform ?? 'default',
        python: this.python,
        ...(server ? { serverPid: String(server.pid), serverLog: server.logPath } : {}),
      },
    };
  }

  /** What runs the steps, for `isAvailable()` and `describe()`. */
  protected engineName(): string {
    const jax = this.health?.jax_version ?? inspectServerPython(this.python).jaxVersion ?? 'unknown';
    const where = this.server?.exit === null ? `local XLA server, pid ${this.server.pid}` : 'local XLA server';
    const platform = this.health?.platform ?? (this.platform === 'cuda' || this.platform === 'rocm' ? 'gpu' : this.platform) ?? 'default';
    return `XLA:${platform.toUpperCase()} (jax ${jax}) on ${this.numReplicas} device(s), ${where}`;
  }

  /** Why the strategy cannot run here, or undefined: the Python environment, then the devices. */
  protected problem(): LocalXlaProblem | undefined {
    return this.pythonProblem() ?? this.devicesProblem();
  }

  protected pythonEnv(): ServerPythonEnv {
    return inspectServerPython(this.python);
  }

  protected pythonProblem(): LocalXlaProblem | undefined {
    return serverPythonProblem(this.pythonEnv());
  }

  /** The devices the platform has, and how to say so; undefined where only the server knows. */
  protected platformDevices(): { count: number; described: string } | undefined {
    if (this.platform !== 'cpu') return undefined;
    return { count: this.hostDevices, described: `the XLA:CPU platform shows ${this.hostDevices} device(s) (hostDevices: ${this.hostDevices})` };
  }

  /** `devices` larger than the platform has: refused before the server starts. */
  protected devicesProblem(): LocalXlaProblem | undefined {
    const platform = this.platformDevices();
    if (platform === undefined || this.cores === -1 || this.cores <= platform.count) return undefined;
    return {
      reason: `devices: ${this.cores} was asked for, but ${platform.described}.`,
      remedy: `use devices: ${platform.count} or fewer (devices: -1 takes them all).`,
      kind: 'unsupported-option',
      value: this.cores,
    };
  }

  /** More environment variables for the server (a subclass picks its GPUs here). */
  protected serverEnv(): Record<string, string> {
    return {};
  }

  /** Fails at once when the server is gone, else runs `work` under `guard`. */
  protected guarded<T>(work: () => Promise<T>): Promise<T> {
    const server = this.server;
    if (server?.exit && !server.exit.requested) return Promise.reject(this.serverDied(server, server.exit));
    return this.guard(work());
  }

  /**
   * Waits for `work`, but not for a dead server: when the child ends, the wait ends with an
   * error that says so (gRPC reports the lost connection first; the exit is waited for, so
   * that the error names it).
   */
  protected async guard<T>(work: Promise<T>): Promise<T> {
    const server = this.server;
    if (server === null) return work;
    // Settled below, or left behind once the server is known dead.
    work.catch(() => undefined);
    let stopListening: () => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      stopListening = server.onExit((exit) => {
        if (!exit.requested) reject(this.serverDied(server, exit));
      });
    });
    died.catch(() => undefined);
    try {
      return await Promise.race([work, died]);
    } catch (error) {
      // A failed call (server-error), or a run that failed after XLA took its buffers (device-error).
      const call = error instanceof StrataError && (error.kind === 'server-error' || error.kind === 'device-error');
      if (call && server.exit === null && (await server.waitForExit(2000))) {
        if (!server.exit!.requested) throw this.serverDied(server, server.exit!, error);
      }
      throw error;
    } finally {
      stopListening();
    }
  }

  private serverDied(server: ChildXlaServer, exit: ServerExit, cause?: unknown): StrataError {
    const tail = server.logTail(6);
    return new StrataError(
      'server-error',
      `The ${this.profile.title} strategy's XLA server (pid ${server.pid}) ${server.describeExit(exit)}: the step did not complete, and the model state it held is lost. Its log is ${server.logPath}${tail ? `; it ends:\n${tail}\n` : '.'}`,
      {
        value: exit.signal ?? exit.code,
        fix: "read the log for the cause (out of device memory, a driver error, a signal from outside), then resume from the last checkpoint (Trainer ckptPath); in this process, dispose the model's tensors first, as they lived on that server (setup() starts a new one).",
        cause,
      },
    );
  }

  private async stopServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.stop();
  }
}
