import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { StrataError } from '@strata/core';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where strata_xla.proto is: the copy the build puts in dist/proto (an installed package), or
 * the xla-server's own file in the monorepo (tests run from src).
 */
export function protoPath(): string {
  const candidates = [
    join(here, '..', 'proto', 'strata_xla.proto'),
    join(here, '..', '..', 'dist', 'proto', 'strata_xla.proto'),
    join(here, '..', '..', '..', 'xla-server', 'proto', 'strata_xla.proto'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new StrataError('strategy-unavailable', `strata_xla.proto not found (looked in ${candidates.join(', ')}).`, {
      fix: "reinstall @strata/xla: its package holds the protocol in dist/proto (a build from source copies it there: run the package's build script, not tsc alone).",
    });
  }
  return found;
}

let cached: grpc.GrpcObject | undefined;

/** The XlaService client constructor, loaded once from the .proto at runtime. */
export function xlaServiceClient(): grpc.ServiceClientConstructor {
  if (cached === undefined) {
    const definition = protoLoader.loadSync(protoPath(), {
      keepCase: true,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    cached = grpc.loadPackageDefinition(definition);
  }
  const pkg = (cached.strata as grpc.GrpcObject).xla as grpc.GrpcObject;
  return (pkg.v1 as grpc.GrpcObject).XlaService as grpc.ServiceClientConstructor;
}
