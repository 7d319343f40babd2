// Adapter for GET /state (see get-state.ts).
import { quorumStateStore } from '../../shared/app-state/wiring';
import { loadAppEnv } from '../../shared/env';
import { conditionalJson } from '../../shared/http/conditional';
import { httpHandler } from '../../shared/http/handler';
import { getState, stateEtag } from './get-state';

const env = loadAppEnv();

const deps = {
  region: env.AWS_REGION,
  store: quorumStateStore(env),
};

// Clients poll every few seconds and a failover must show on the very next poll, so no cache
// may answer without asking: "no-cache" lets browsers and proxies keep a copy but revalidate
// it every time, and the ETag turns an unchanged state into a body-less 304.
const CACHE_CONTROL = 'no-cache, max-age=0';

export const handler = httpHandler(async (event) => {
  const view = await getState(deps);
  return conditionalJson(event.headers['if-none-match'], view, { 'Cache-Control': CACHE_CONTROL }, stateEtag(view));
});
