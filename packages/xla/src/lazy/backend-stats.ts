/** Counters the tests and benchmarks read: compilations must stop after the first steps. */
export interface XlaBackendStats {
  /** Programs the server actually compiled (its cache missed). */
  compilations: number;
  /** Programs run. */
  executions: number;
  /** Of those, runs dispatched asynchronously (the call returned once the server queued the run). */
  asynchronousExecutions: number;
  /** Values fetched from the server (small results come back with Execute instead). */
  fetches: number;
  /** Host tensors uploaded (small constants are uploaded once and reused). */
  uploads: number;
  /** Host values sent by value with an Execute call instead of uploaded. */
  literals: number;
  /** Distinct program hashes seen by this backend. */
  programs: number;
  /** Milliseconds spent in Compile calls that compiled. */
  compileMs: number;
  /** Milliseconds spent recording steps (tfjs running the step function on this backend). */
  recordMs: number;
  /** Milliseconds spent lowering graphs to text (and hashing). */
  lowerMs: number;
  /** Milliseconds spent waiting for uploads of program arguments. */
  uploadMs: number;
  /** Milliseconds spent waiting for Execute calls. */
  executeMs: number;
  /** Times a compiled step ran its JavaScript to record the step (its first calls, and after a change). */
  traces: number;
  /** Times a compiled step ran its program without running its JavaScript. */
  replays: number;
}

/** Every counter at zero. */
export function newStats(): XlaBackendStats {
  return {
    compilations: 0,
    executions: 0,
    asynchronousExecutions: 0,
    fetches: 0,
    uploads: 0,
    literals: 0,
    programs: 0,
    compileMs: 0,
    recordMs: 0,
    lowerMs: 0,
    uploadMs: 0,
    executeMs: 0,
    traces: 0,
    replays: 0,
  };
}
