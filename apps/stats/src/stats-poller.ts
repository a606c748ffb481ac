import type { Logger } from '../../../libs/common/src/log.js';
import type { CappedGet, CappedGetLimits } from './capped-get.js';
import { parseTxtp, type TxtpEntry, type TxtpLineError } from '../../../libs/protocol/src/txtp.js';

export type PollOutcome =
  | { readonly ok: true; readonly entries: readonly TxtpEntry[]; readonly badLines: readonly TxtpLineError[] }
  | { readonly ok: false; readonly error: string };

/** Re-log a persisting failure this often (in polls), so a long outage leaves a trace without flooding. */
const RELOG_EVERY = 60;

/**
 * Fetches and parses the tracker's tpbs/txtp dump with capped wire and decoded sizes and a deadline.
 * Never throws. Logs a failure when it starts or its reason changes, then every RELOG_EVERY polls, and
 * logs the recovery.
 */
export class StatsPoller {
  private failures = 0;
  private lastReason = '';
  private lastBadSignature = '';

  constructor(
    private readonly url: string,
    private readonly get: CappedGet,
    private readonly limits: CappedGetLimits,
    private readonly log: Logger,
  ) {}

  async poll(): Promise<PollOutcome> {
    const outcome = await this.fetchAndParse();
    if (outcome.ok) {
      if (this.failures > 0) this.log.info({ url: this.url, failedPolls: this.failures }, 'tracker stats readable again');
      this.failures = 0;
      this.lastReason = '';
      this.reportBadLines(outcome.badLines);
    } else {
      this.failures++;
      if (outcome.error !== this.lastReason || this.failures % RELOG_EVERY === 1) {
        this.log.error(
          { url: this.url, err: outcome.error, failedPolls: this.failures },
          'tracker stats poll failed; serving the last data',
        );
      }
      this.lastReason = outcome.error;
    }
    return outcome;
  }

  private async fetchAndParse(): Promise<PollOutcome> {
    const res = await this.get(this.url, this.limits);
    if (!res.ok) return { ok: false, error: res.error };
    if (res.status < 200 || res.status > 299) return { ok: false, error: `HTTP ${res.status}` };
    const { entries, errors } = parseTxtp(res.body.toString('latin1'));
    // A body with no valid line but some invalid ones is not a tpbs dump (an HTML error page, a wrong URL).
    if (entries.length === 0 && errors.length > 0) {
      return { ok: false, error: `not a txtp dump (line ${errors[0]!.line}: ${JSON.stringify(errors[0]!.text)})` };
    }
    return { ok: true, entries, badLines: errors };
  }

  private reportBadLines(bad: readonly TxtpLineError[]): void {
    const signature = bad.length === 0 ? '' : `${bad.length}:${bad[0]!.text}`;
    if (signature !== '' && signature !== this.lastBadSignature) {
      this.log.warn({ url: this.url, count: bad.length, lines: bad.slice(0, 10) }, 'malformed tracker stats lines skipped');
    }
    this.lastBadSignature = signature;
  }
}
