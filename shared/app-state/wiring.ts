// The application state every request path uses: the quorum store (an MRSC global table, read
// with strongly consistent reads) behind one write gate per container. docs/fencing.md.
import { quorumDocumentClient } from '../aws-clients';
import { logger } from '../powertools';
import { DynamoLeaseRecords } from './lease-record';
import { DynamoAppStateStore } from './store';
import { createWriteGate, type WriteGate } from './write-gate';

export interface AppStateEnv {
  AWS_REGION: string;
  APP_ID: string;
  QUORUM_TABLE: string;
  PRIMARY_REGION: string;
  SECONDARY_REGION: string;
  WRITE_LEASE_MS: number;
}

/** This region's view of the quorum store. */
export function quorumStateStore(env: Omit<AppStateEnv, 'WRITE_LEASE_MS'>): DynamoAppStateStore {
  return new DynamoAppStateStore({
    client: quorumDocumentClient(env.AWS_REGION),
    tableName: env.QUORUM_TABLE,
    appId: env.APP_ID,
    primaryRegion: env.PRIMARY_REGION,
    secondaryRegion: env.SECONDARY_REGION,
  });
}

export function appStateGate(env: AppStateEnv): WriteGate {
  const leases = new DynamoLeaseRecords(quorumDocumentClient(env.AWS_REGION), env.QUORUM_TABLE, env.APP_ID);
  return createWriteGate({
    store: quorumStateStore(env),
    region: env.AWS_REGION,
    leaseMs: env.WRITE_LEASE_MS,
    recordLease: (startedAt) => leases.record(env.AWS_REGION, startedAt),
    onRenewalFailed: (error) => logger.warn('Could not renew the write lease with the quorum', { error: String(error) }),
  });
}
