/** Options or a setting the replicator cannot work with (unknown region, negative lag...). */
export class ReplicationConfigError extends Error {
  override readonly name = 'ReplicationConfigError';
}

/** drain() gave up: something was still pending when its time ran out (a cut, or a region that fails). */
export class ReplicationDrainTimeout extends Error {
  override readonly name = 'ReplicationDrainTimeout';
  constructor(
    readonly timeoutMs: number,
    readonly pending: string[],
  ) {
    super(
      `Replication still busy after ${timeoutMs} ms: ${pending.length > 0 ? pending.join('; ') : 'change feeds not yet read to their end'}`,
    );
  }
}

/** The replicator was stopped (or never started) while the call waited on it. */
export class ReplicatorStopped extends Error {
  override readonly name = 'ReplicatorStopped';
  constructor() {
    super('The replicator is not running');
  }
}
