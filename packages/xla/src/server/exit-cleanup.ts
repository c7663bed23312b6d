// Child servers die with the Node process that started them: one set of process handlers
// for all live children kills them synchronously when the process exits (normally, through
// process.exit, or on an uncaught error or unhandled rejection: Node emits 'exit' for all of
// these) or is ended by a signal, and then leaves the process to end as it would have.

/** A child process that must not outlive this one. */
export interface OwnedChild {
  readonly pid: number;
  /** Ends it now, synchronously (SIGKILL), and removes what it leaves behind. */
  killNow(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type EndSignal = (typeof SIGNALS)[number];

const live = new Set<OwnedChild>();
let installed = false;

/**
 * Registers `child` to be killed when this process ends; returns the function that
 * unregisters it (after it stopped on its own or was stopped).
 */
export function killOnExit(child: OwnedChild): () => void {
  live.add(child);
  install();
  return () => {
    live.delete(child);
    if (live.size === 0) uninstall();
  };
}

/** Children registered now (tests check that stopped ones are gone). */
export function ownedChildren(): readonly OwnedChild[] {
  return [...live];
}

function killAll(): void {
  for (const child of [...live]) {
    live.delete(child);
    try {
      child.killNow();
    } catch {
      // Already gone.
    }
  }
}

function onExit(): void {
  killAll();
}

function onSignal(signal: EndSignal): void {
  // Another listener (the application's own shutdown) decides what this signal does; the
  // children stay up for it and die at 'exit'.
  if (process.listenerCount(signal) > 1) return;
  killAll();
  uninstall();
  // Node's default for this signal, now that no listener is left: the process ends by it,
  // with the exit status a shell reports for it (128 + the signal's number).
  process.kill(process.pid, signal);
}

// Named, so that they can be removed; one function per signal, since Node passes the name.
const signalHandlers = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<EndSignal, () => void>;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, signalHandlers[signal]);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.removeListener('exit', onExit);
  for (const signal of SIGNALS) process.removeListener(signal, signalHandlers[signal]);
}
