// Test helpers of @strata/xla, for its own tests and for packages that build strategies on it
// (imported as '@strata/xla/testing'). Importing them registers tfjs-backend-cpu, the
// reference backend the lowering checks and loss curves compare against.
import '@tensorflow/tfjs-backend-cpu';

export { serverSkipReason, startServer, type ServerProcess } from './server-process.js';
export { checkOnBoth, maxError, recordingBackend, seeded, type CheckResult } from './lowering-check.js';
export { JaxRunner, jaxSkipReason, type HostTensor } from './jax-runner.js';
export { certificateSkipReason, makeSelfSignedCertificate, type TestCertificate } from './test-certificate.js';
