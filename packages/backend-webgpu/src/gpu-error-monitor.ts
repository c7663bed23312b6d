import { StrataError, type StrataErrorKind } from '@strata/core';

/**
 * The `kind` of the StrataError a GPU failure throws.
 *
 * @example
 * try { await strategy.runStep(step); }
 * catch (e) { if (e instanceof StrataError && e.kind === DEVICE_ERROR) await strategy.teardown(); }
 */
export const DEVICE_ERROR: StrataErrorKind = 'device-error';

const FILTERS: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

const FIXES: Record<string, string> = {
  validation:
    "the program exceeded a device limit or a kernel is invalid on this device (see the message). Keep limits: 'adapter' (the default), report the message with describe()'s output, or train on another strategy (strategy: 'cpu').",
  'out-of-memory': 'reduce the batch size or the model size; the GPU ran out of memory.',
  internal: 'the WebGPU implementation failed (driver or shader compiler): update the driver, or train on another strategy.',
  lost: 'call teardown() and setup() to get a new device; check the driver if it happens again.',
};

/**
 * Turns WebGPU's asynchronous error reports into exceptions, so a GPU error fails the step that
 * caused it (or the next step or read) instead of leaving wrong numbers in tensors. A WebGPU
 * validation error drops the whole command buffer it was in, so every tensor computed with it
 * is suspect: the failure is sticky until the strategy is torn down.
 */
export class GpuErrorMonitor {
  private failure: StrataError | undefined;
  private attached = true;
  private readonly onUncaptured = (event: Event): void => {
    const error = (event as GPUUncapturedErrorEvent).error;
    this.record(kindOf(error), error.message, 'outside a step (uncaptured)');
  };

  /**
   * @param device the device to watch
   * @param adapterName for messages: which adapter failed
   */
  constructor(
    private readonly device: GPUDevice,
    private readonly adapterName: string,
  ) {
    device.addEventListener('uncapturederror', this.onUncaptured);
    void device.lost.then((info) => {
      // teardown() detaches before it destroys the device; any other loss, even a destroy()
      // by other code, turns later work into silent no-ops, so it is a failure.
      if (this.attached) this.record('lost', info.message, `(device lost, reason ${String(info.reason)})`);
    });
  }

  /** The recorded failure, if any. */
  get error(): StrataError | undefined {
    return this.failure;
  }

  /** Throws the recorded failure, if any. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Runs `work` inside error scopes, then `flush` (which submits what tfjs has queued, so the
   * GPU validates it now), and throws a `device-error` StrataError when the GPU reported any
   * error meanwhile. On that path `discard` frees the work's result, which must not be used.
   */
  async capture<T>(what: string, work: () => Promise<T>, flush: () => void, discard: (value: T) => void): Promise<T> {
    this.throwIfFailed();
    for (const filter of FILTERS) this.device.pushErrorScope(filter);
    let value: T | undefined;
    let done = false;
    let thrown: unknown;
    try {
      value = await work();
      done = true;
      flush();
    } catch (error) {
      thrown = error;
    } finally {
      // Scopes pop in reverse order; each pop is taken at once, the promise resolves later.
      const pops = [...FILTERS].reverse().map((filter) => this.device.popErrorScope().then((error) => ({ filter, error })));
      for (const { filter, error } of await Promise.all(pops)) {
        if (error) this.record(filter, error.message, what);
      }
    }
    if (this.failure) {
      if (done) discard(value as T);
      throw this.failure;
    }
    if (thrown !== undefined) throw thrown;
    return value as T;
  }

  /** Stops listening (the device is being destroyed). */
  detach(): void {
    this.attached = false;
    this.device.removeEventListener('uncapturederror', this.onUncaptured);
  }

  private record(kind: string, message: string, during: string): void {
    // The first error is the cause; later ones are usually its consequences.
    if (this.failure) return;
    const text = message.trim();
    this.failure = new StrataError(
      DEVICE_ERROR,
      `WebGPU ${kind} error ${during} on ${this.adapterName}: ${text} Tensors computed by the failed commands hold wrong values, so this strategy refuses further steps and reads until teardown() and setup().`,
      { value: text, fix: FIXES[kind] ?? FIXES.internal },
    );
  }
}

function kindOf(error: GPUError): string {
  const name = error.constructor?.name ?? '';
  if (name === 'GPUValidationError') return 'validation';
  if (name === 'GPUOutOfMemoryError') return 'out-of-memory';
  return 'internal';
}
