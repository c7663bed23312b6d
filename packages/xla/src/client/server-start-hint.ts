// What a remedy tells a library user about Strata's XLA server. npm installs no Python, so the
// remedy names the server's Python module, what it needs, and the command that starts it.

/** The Python module of Strata's XLA server, run with `python -m`. */
export const XLA_SERVER_MODULE = 'strata_xla_server';

/** What the server's Python environment needs (the server's own package requirements). */
export const XLA_SERVER_NEEDS = 'jax (>= 0.10.2, < 0.12) and grpcio';

/** The port an XLA strategy looks for a server on when given no address. */
export const XLA_SERVER_DEFAULT_PORT = 8470;

/**
 * "start Strata's XLA server ...": the command and what its Python needs, for the remedy of a
 * strategy or client that found no server.
 *
 * @example
 * startXlaServerHint(); // "start Strata's XLA server (the Python module strata_xla_server, ...) where the devices are: python -m strata_xla_server --port 8470"
 */
export function startXlaServerHint(port: number = XLA_SERVER_DEFAULT_PORT): string {
  return `start Strata's XLA server (the Python module ${XLA_SERVER_MODULE}, in a Python environment with ${XLA_SERVER_NEEDS}) where the devices are: python -m ${XLA_SERVER_MODULE} --port ${port}`;
}
