/**
 * The environment every worker process (strategy, peer, XLA server) starts with: the same for
 * every framework, so that a ratio compares engines and not process settings. Both are read by
 * the libraries at process start, so they travel by environment, not by message.
 */

/**
 * Limits every framework to `n` threads: OpenMP (PyTorch, oneDNN), MKL, TensorFlow's intra- and
 * inter-op pools (the native engine), llvmpipe (webgpu), and for one thread XLA:CPU's Eigen pool
 * (jax and the XLA server; XLA has no flag for another count).
 */
export function threadEnvironment(n: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const count = String(n);
  const out: Record<string, string> = {
    OMP_NUM_THREADS: count,
    MKL_NUM_THREADS: count,
    TF_NUM_INTRAOP_THREADS: count,
    TF_NUM_INTEROP_THREADS: count,
    LP_NUM_THREADS: count,
  };
  if (n === 1) out.XLA_FLAGS = [env.XLA_FLAGS, '--xla_cpu_multi_thread_eigen=false'].filter(Boolean).join(' ');
  return out;
}

/** --malloc: 'fixed' pins glibc malloc's thresholds in every worker; 'default' leaves glibc's own. */
export type MallocMode = 'fixed' | 'default';

/** The largest mmap threshold glibc accepts on 64-bit Linux (HEAP_MAX_SIZE / 2). */
const MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024;
/** Keep up to 4 GiB of freed heap instead of handing it back to the kernel. */
const TRIM_THRESHOLD_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * glibc malloc's thresholds, fixed. By default glibc raises its mmap threshold to the size of
 * each mmapped block that is freed, and trims the top of the heap back to the kernel; both depend
 * on the order in which a process happens to free its blocks. So one process reuses its step's
 * buffers while the next returns them and faults them back in every step, and the same program
 * runs at different speeds in two processes (bench/README.md has the measurements). Fixed thresholds (blocks under 32 MiB from the heap, freed heap
 * kept) give every process the reuse that jemalloc or tcmalloc would. A variable the user has
 * already set is left as it is.
 */
export function allocatorEnvironment(mode: MallocMode, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (mode === 'default') return {};
  const out: Record<string, string> = {};
  if (env.MALLOC_MMAP_THRESHOLD_ === undefined) out.MALLOC_MMAP_THRESHOLD_ = String(MMAP_THRESHOLD_BYTES);
  if (env.MALLOC_TRIM_THRESHOLD_ === undefined) out.MALLOC_TRIM_THRESHOLD_ = String(TRIM_THRESHOLD_BYTES);
  return out;
}

/**
 * GPU memory taken as needed in every jax process (the jax peer, the XLA server) instead of jax's
 * default 75% of the GPU at start: the XLA server lives through the whole run beside the peers'
 * workers, and the first process to start would otherwise leave the others too little. PyTorch's
 * caching allocator already grows on demand. A value the user has set is kept.
 */
export function gpuMemoryEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return env.XLA_PYTHON_CLIENT_PREALLOCATE === undefined ? { XLA_PYTHON_CLIENT_PREALLOCATE: 'false' } : {};
}
