import { EmulationConfigError, EmulationStopped, EmulationWaitTimeout } from '../emulation-errors';

/** The quorum store was set up wrongly (regions, tables, durations). */
export class QuorumConfigError extends EmulationConfigError {
  override readonly name = 'QuorumConfigError';
}

/** `settled()` gave up: some replica copy in a region holding the majority still lags. */
export class QuorumSettleTimeout extends EmulationWaitTimeout {
  override readonly name = 'QuorumSettleTimeout';
  constructor(timeoutMs: number, pending: string[]) {
    super(timeoutMs, pending, `replica copies not caught up within ${timeoutMs} ms: ${pending.join('; ') || 'a sync is still running'}`);
  }
}

export class QuorumStoreStopped extends EmulationStopped {
  override readonly name = 'QuorumStoreStopped';
  constructor() {
    super('the quorum store was stopped');
  }
}
