/**
 * CPU accounting around one load phase: the tracker's utime+stime (more stable than req/s on a shared VM),
 * the generator's, and the "foreign" CPU used by everything else on the machine, which says how disturbed
 * the figure is.
 */
import { CLK_TCK, cpuSeconds, machineJiffies } from './proc.js';

export interface PhaseCpu {
  readonly wallSeconds: number;
  readonly trackerCpuSeconds: number;
  readonly generatorCpuSeconds: number;
  /** Percent of one CPU used by processes outside the bench, averaged over the phase. */
  readonly foreignCpuPct: number;
}

export async function meterPhase<T>(
  trackerPids: readonly number[],
  run: (onGeneratorPid: (pid: number) => void) => Promise<T>,
): Promise<{ value: T; cpu: PhaseCpu }> {
  const sumTracker = (): number => trackerPids.reduce((a, p) => a + (cpuSeconds(p) ?? 0), 0);
  const tr0 = sumTracker();
  const m0 = machineJiffies();
  const w0 = performance.now();
  let genPid = 0;
  let gen0 = 0;
  let genLast = 0;
  // the generator exits at the end of the phase, so its last reading is taken while it still runs
  const poll = setInterval(() => {
    if (genPid === 0) return;
    const c = cpuSeconds(genPid);
    if (c !== null) genLast = c;
  }, 100);
  let value: T;
  try {
    value = await run((pid) => {
      genPid = pid;
      gen0 = cpuSeconds(pid) ?? 0;
      genLast = gen0;
    });
  } finally {
    clearInterval(poll);
  }
  const wallSeconds = (performance.now() - w0) / 1000;
  const trackerCpuSeconds = sumTracker() - tr0;
  const generatorCpuSeconds = genLast - gen0;
  const m1 = machineJiffies();
  const machineBusy = (m1.busy - m0.busy) / CLK_TCK;
  const foreign = Math.max(0, machineBusy - trackerCpuSeconds - generatorCpuSeconds);
  return { value, cpu: { wallSeconds, trackerCpuSeconds, generatorCpuSeconds, foreignCpuPct: (100 * foreign) / wallSeconds } };
}
