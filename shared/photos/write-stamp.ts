import type { WriteStamp } from '../write-journal/model';
import { newId } from './ids';
import type { AdmittedState } from './model';

/**
 * The stamp of a write the gate admitted under `state`, made at `now`. `request`: the digest of
 * the record a create writes under an id its request fixed (requestDigest), so that reconciliation
 * knows a retry of that request in the other region for the same write.
 */
export function writeStampFor(state: AdmittedState, now: Date, request?: string): WriteStamp {
  return {
    writeId: newId(now),
    stateVersion: state.version,
    at: now.toISOString(),
    region: state.activeRegion,
    ...(request === undefined ? {} : { request }),
  };
}
