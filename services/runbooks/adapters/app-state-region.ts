// One region's replica of the application state, as the runbook steps see it: strongly
// consistent reads (a runbook decides on the newest state that replica holds), and the store's
// conflict errors turned into the runbooks' named errors.
import { IllegalTransition, StaleVersion, StateMismatch } from '../../../shared/app-state/errors';
import type { AppStateStore } from '../../../shared/app-state/store';
import { IllegalRunbookState, StaleStateVersion, TransitionRejected } from '../errors';
import type { StateSnapshot } from '../model';
import type { RegionalState, TransitionCommand } from '../steps/ports';

export class AppStateRegion implements RegionalState {
  constructor(
    private readonly store: AppStateStore,
    private readonly region: string,
  ) {}

  get(): Promise<StateSnapshot> {
    return this.store.get({ consistent: true });
  }

  async holdWritesUntil(version: number, until: Date): Promise<StateSnapshot> {
    try {
      return await this.store.holdWritesUntil(version, until);
    } catch (error) {
      if (error instanceof StaleVersion) throw new StaleStateVersion(`${this.region}: ${error.message}; the state moved on.`);
      throw error;
    }
  }

  async transition(command: TransitionCommand): Promise<StateSnapshot> {
    try {
      return await this.store.transition(command);
    } catch (error) {
      if (error instanceof StaleVersion) {
        throw new StaleStateVersion(`${this.region}: ${error.message}; another writer changed the state since this run read it.`);
      }
      if (error instanceof StateMismatch) throw new TransitionRejected(`${this.region}: ${error.message}.`);
      if (error instanceof IllegalTransition) throw new IllegalRunbookState(`${this.region}: ${error.message}.`);
      // MRSC: a write racing one from another region on the same item is rejected (DynamoDB API
      // reference, ReplicatedWriteConflictException). Whoever won, this run's read is no longer current.
      if ((error as Error).name === 'ReplicatedWriteConflictException') {
        throw new StaleStateVersion(`${this.region}: another region wrote the state at the same moment; this run's write was rejected.`);
      }
      throw error;
    }
  }
}
