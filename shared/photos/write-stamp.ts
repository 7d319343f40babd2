import type { WriteStamp } from '../write-journal/model';
import { newId } from './ids';
import type { AdmittedState } from './model';

/** The stamp of a write the gate admitted under `state`, made at `now`. */
export function writeStampFor(state: AdmittedState, now: Date): WriteStamp {
  return { writeId: newId(now), stateVersion: state.version, at: now.toISOString(), region: state.activeRegion };
}
