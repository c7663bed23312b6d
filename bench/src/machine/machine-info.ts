import { release, totalmem, type } from 'node:os';
import type { MachineInfo } from '../report/report-types.js';
import { cpuPeak, readCpuInfo } from './cpu-info.js';

/** This machine, for the report header: CPU, its peak, OS, Node, memory. */
export function machineInfo(): MachineInfo {
  const cpu = readCpuInfo();
  return { cpu, peak: cpuPeak(cpu), os: `${type()} ${release()}`, node: process.version, memoryBytes: totalmem() };
}
