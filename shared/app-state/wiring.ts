// The app-state store every request path uses: this region's replica, overruled by the peer's
// when the peer holds a newer version (peer-aware.ts). One per container.
import { dynamoDocumentClient, dynamoDocumentClientFor } from '../aws-clients';
import { logger } from '../powertools';
import { peerAwareStateStore } from './peer-aware';
import { DynamoAppStateStore } from './store';

export interface AppStateEnv {
  AWS_REGION: string;
  APP_ID: string;
  APP_STATE_TABLE: string;
  PRIMARY_REGION: string;
  SECONDARY_REGION: string;
}

export function regionalAppStateStore(env: AppStateEnv) {
  const peerRegion = env.AWS_REGION === env.PRIMARY_REGION ? env.SECONDARY_REGION : env.PRIMARY_REGION;
  const store = (client: ReturnType<typeof dynamoDocumentClient>) =>
    new DynamoAppStateStore({
      client,
      tableName: env.APP_STATE_TABLE,
      appId: env.APP_ID,
      primaryRegion: env.PRIMARY_REGION,
      secondaryRegion: env.SECONDARY_REGION,
    });
  return peerAwareStateStore({
    local: store(dynamoDocumentClient()),
    peer: store(dynamoDocumentClientFor(peerRegion)),
    onPeerUnavailable: (error) => logger.debug('Peer replica of the app state unavailable', { peerRegion, error: String(error) }),
  });
}
