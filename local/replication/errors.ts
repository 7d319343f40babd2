import { EmulationConfigError, EmulationStopped, EmulationWaitTimeout } from '../emulation-errors';

/** Options or a setting the replicator cannot work with (unknown region, negative lag...). */
export class ReplicationConfigError extends EmulationConfigError {
  override readonly name = 'ReplicationConfigError';
}

/** drain() gave up: something was still pending when its time ran out (a cut, or a region that fails). */
export class ReplicationDrainTimeout extends EmulationWaitTimeout {
  override readonly name = 'ReplicationDrainTimeout';
  constructor(timeoutMs: number, pending: string[]) {
    const what = pending.length > 0 ? pending.join('; ') : 'change feeds not yet read to their end';
    super(timeoutMs, pending, `Replication still busy after ${timeoutMs} ms: ${what}`);
  }
}

/** The replicator was stopped (or never started) while the call waited on it. */
export class ReplicatorStopped extends EmulationStopped {
  override readonly name = 'ReplicatorStopped';
  constructor() {
    super('The replicator is not running');
  }
}
