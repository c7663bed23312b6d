export { NATIVE_DIR_ENV, engineDir, nativeHome, projectRoot, type NativeVariant } from './native-home.js';
export { MANIFEST_FORMAT, manifestPath, readManifest, type NativeManifest } from './native-manifest.js';
export { inspectTensorflowDir, type TensorflowLibraries } from './tensorflow-libraries.js';
export { LIBTENSORFLOW_DIR_ENV, locateTensorflow, pythonTensorflowDir, type LocateOptions } from './tensorflow-locator.js';
export { NativeEngineBuilder, TFJS_NODE_VERSION, type BuildOptions, type BuildReport } from './native-engine-builder.js';
export {
  NATIVE_BACKEND,
  buildCommand,
  loadNativeEngine,
  loadedNativeEngine,
  nativeEngineStatus,
  type NativeEngine,
  type NativeEngineStatus,
} from './native-engine.js';
