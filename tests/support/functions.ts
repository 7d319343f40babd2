// The functions serverless.yml declares, as the embedded runtime reads them (local/runtime/topology.ts):
// each one's handler module and the environment the deploy gives it. Test harnesses load handlers
// and build environments from here, and state only what a test changes (its own copies of the
// tables, local endpoints, shorter durations), never a second list of what the service declares.
import path from 'node:path';
import { buildRegionTopology } from '../../local/runtime/topology';
import { loadServiceDefinition, PROJECT_ROOT } from '../../local/service-definition';

export interface DeclaredFunction {
  /** The handler's module, as an absolute path `require` takes. */
  modulePath: string;
  /** The provider's and the function's environment, intrinsics resolved for the region. */
  environment: Record<string, string>;
}

/** Every function of the dev stage in `region`, by its key in serverless.yml (e.g. createPhoto). */
export async function declaredFunctions(region: string): Promise<Record<string, DeclaredFunction>> {
  const primary = await loadServiceDefinition('dev', 'us-east-1');
  const definition = region === primary.provider.region ? primary : await loadServiceDefinition('dev', region);
  const topology = buildRegionTopology(definition, primary);
  return Object.fromEntries(
    topology.functions.map((fn) => [
      fn.key,
      { modulePath: path.join(PROJECT_ROOT, fn.handler.replace(/\.[^./]+$/, '')), environment: fn.environment },
    ]),
  );
}

/**
 * An environment with the declared table names replaced by this test's copies of the tables
 * (`tableOf(declaredName)`; tests/support/tables.ts makes them under a unique prefix).
 */
export function withTestTables(
  environment: Record<string, string>,
  tableOf: (declaredName: string) => string | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, tableOf(value) ?? value]));
}
