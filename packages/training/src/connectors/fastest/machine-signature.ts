/** The machine a cached 'fastest' pick was measured on. */
export interface MachineSignature {
  readonly hostname: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly platform: string;
  readonly arch: string;
}
