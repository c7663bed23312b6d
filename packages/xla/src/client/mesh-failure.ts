import * as grpc from '@grpc/grpc-js';
import { StrataError, errorReason } from '@strata/core';

/** One server of a mesh, as failure messages name it. */
export interface MeshMemberName {
  readonly address: string;
  readonly processIndex: number;
}

/**
 * The first failure of any server of a mesh. The servers run as one jax process group: once
 * one is gone, the programs of the others wait in collectives that never complete, so the
 * whole mesh is failed. Every call through `guard` then rejects with one error that names the
 * server, and the listeners (which cancel the calls still in flight) run once.
 */
export class MeshFailure {
  private error: StrataError | null = null;
  private readonly listeners = new Set<(error: StrataError) => void>();
  private readonly rejectors = new Set<(error: StrataError) => void>();

  constructor(private readonly processCount: number) {}

  /** The failure, or null while every server answers. */
  get current(): StrataError | null {
    return this.error;
  }

  /** Calls `listener` once when the mesh fails. */
  onFail(listener: (error: StrataError) => void): void {
    if (this.error) listener(this.error);
    else this.listeners.add(listener);
  }

  /** Marks the mesh failed because of `member` (the first failure wins) and returns the error every call gets. */
  fail(member: MeshMemberName, reason: string, cause?: unknown): StrataError {
    if (this.error) return this.error;
    const error = new StrataError(
      'server-error',
      `The XLA server at ${member.address} (process ${member.processIndex} of the ${this.processCount} of the mesh) ${reason}; the mesh cannot go on without it.`,
      {
        value: member.address,
        fix: "restart every server of the mesh, as they run as one jax process group, and resume from the last checkpoint with the Trainer's ckptPath.",
        cause,
      },
    );
    this.error = error;
    for (const reject of this.rejectors) reject(error);
    this.rejectors.clear();
    for (const listener of this.listeners) listener(error);
    this.listeners.clear();
    return error;
  }

  /**
   * Runs one call on `member`. A call that fails because the server is gone or does not
   * answer (UNAVAILABLE, DEADLINE_EXCEEDED) fails the mesh; once the mesh has failed, this
   * call and every later one reject with the mesh's error, whatever the call itself does.
   */
  guard<T>(member: MeshMemberName, call: () => Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      this.rejectors.add(reject);
      call().then(
        (value) => {
          this.rejectors.delete(reject);
          if (this.error) reject(this.error);
          else resolve(value);
        },
        (error: unknown) => {
          this.rejectors.delete(reject);
          if (this.error) reject(this.error);
          else if (isLoss(error)) reject(this.fail(member, `stopped answering (${errorReason(error)})`, error));
          else reject(error);
        },
      );
    });
  }
}

/** Whether a call's error says the server is gone or does not answer. */
function isLoss(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: number } | undefined) : undefined;
  const code = cause?.code ?? (error as { code?: number } | null)?.code;
  return code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED;
}
