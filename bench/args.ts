/** Command line of `npm run bench` (pure). */

export const SECTIONS = ['throughput', 'memory', 'suite', 'hash', 'site', 'store'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface BenchArgs {
  readonly quick: boolean;
  readonly only: ReadonlySet<SectionName>;
  readonly help: boolean;
}

export const BENCH_HELP = `Usage: npm run bench -- [--quick] [--only NAME[,NAME]]

  --quick        short phases (3 s), 200k-peer memory figure, 256 MiB hashing file
  --only NAMES   run only these sections: ${SECTIONS.join(', ')}
                 (aliases: http, udp -> throughput; rss -> suite; hashing -> hash; render -> site;
                 redis -> store)

Prints a markdown table and writes bench/out/results.json.
The tracker runs on CPU 0 and the load generators on CPU 1 (taskset) when there are 2 CPUs or more.
`;

const ALIASES: Record<string, SectionName> = {
  throughput: 'throughput',
  http: 'throughput',
  udp: 'throughput',
  memory: 'memory',
  mem: 'memory',
  suite: 'suite',
  rss: 'suite',
  hash: 'hash',
  hashing: 'hash',
  site: 'site',
  render: 'site',
  store: 'store',
  redis: 'store',
};

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let help = false;
  const only = new Set<SectionName>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice(7);
      if (v === undefined || v === '') throw new Error('--only needs a section name');
      for (const name of v.split(',')) {
        const s = ALIASES[name.trim().toLowerCase()];
        if (s === undefined) throw new Error(`unknown section ${JSON.stringify(name)}; known: ${SECTIONS.join(', ')}`);
        only.add(s);
      }
    } else throw new Error(`unknown option ${JSON.stringify(a)} (try --help)`);
  }
  return { quick, help, only: only.size > 0 ? only : new Set(SECTIONS) };
}
