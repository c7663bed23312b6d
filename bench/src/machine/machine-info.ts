import { release, totalmem, type } from 'node:os';
import { SystemCudaHost } from '@strata/backend-cuda';
import type { MachineInfo } from '../report/report-types.js';
import { cpuPeak, readCpuInfo } from './cpu-info.js';

/** This machine, for the report header: CPU, its peak, GPUs, OS, Node, memory. */
export function machineInfo(): MachineInfo {
  const cpu = readCpuInfo();
  // NVIDIA GPUs as the driver lists them (reads /proc, loads nothing); other GPUs show in their rows' devices.
  const gpus = new SystemCudaHost().gpus();
  return { cpu, peak: cpuPeak(cpu), ...(gpus.length > 0 ? { gpus } : {}), os: `${type()} ${release()}`, node: process.version, memoryBytes: totalmem() };
}
