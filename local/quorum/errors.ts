/** The quorum store was set up wrongly (regions, tables, durations). */
export class QuorumConfigError extends Error {
  override readonly name = 'QuorumConfigError';
}

/** `settled()` gave up: some replica copy in a region holding the majority still lags. */
export class QuorumSettleTimeout extends Error {
  override readonly name = 'QuorumSettleTimeout';
  constructor(
    readonly timeoutMs: number,
    readonly pending: string[],
  ) {
    super(`replica copies not caught up within ${timeoutMs} ms: ${pending.join('; ') || 'a sync is still running'}`);
  }
}

export class QuorumStoreStopped extends Error {
  override readonly name = 'QuorumStoreStopped';
  constructor() {
    super('the quorum store was stopped');
  }
}
