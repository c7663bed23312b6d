import * as tf from '@tensorflow/tfjs-core';

/**
 * The tfjs backend that was active before a strategy made its own active, given back at
 * teardown: a host that uses tfjs around Strata finds the backend it had.
 *
 * @example
 * private readonly previousBackend = new PreviousBackend();
 * async setup() { this.previousBackend.remember(); await tf.setBackend('xla'); }
 * async teardown() { await this.previousBackend.restore('xla'); }
 */
export class PreviousBackend {
  private name: string | null = null;

  /** Notes the active backend (none while tfjs has not initialised one); call it before `tf.setBackend`. */
  remember(): void {
    this.name = tf.getBackend() ?? null;
  }

  /**
   * Makes the noted backend active again and forgets it. Nothing changes when there was none,
   * when `own` is no longer the active backend (a strategy set up since keeps its own), or when
   * the noted backend is no longer registered.
   */
  async restore(own: string): Promise<void> {
    const name = this.name;
    this.name = null;
    if (name === null || name === own || tf.getBackend() !== own || tf.findBackendFactory(name) === null) return;
    await tf.setBackend(name);
  }
}
