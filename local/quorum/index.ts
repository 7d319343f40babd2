export { QuorumConfigError, QuorumSettleTimeout, QuorumStoreStopped } from './errors';
export { type MembershipSnapshot, type ParticipantView, QuorumMembership } from './membership';
export {
  DEFAULT_QUORUM_LATENCY_MS,
  type QuorumRegion,
  type QuorumStatus,
  type QuorumStore,
  type QuorumStoreOptions,
  startQuorumStore,
} from './store';
export { ERRORS as QUORUM_ERRORS } from './wire';
