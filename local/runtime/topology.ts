import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { evaluateConditions, type IntrinsicContext, LOCAL_ACCOUNT_ID, resolveIntrinsics, strongTablesOf, tablesOf } from '../cfn';
import type { CfnResource, ResolvedService } from '../service-definition';

/**
 * What the embedded runtime runs for one region, derived from serverless.yml as osls
 * resolves it for that region: no second, hand-kept list of routes or functions.
 */
export interface RegionTopology {
  region: string;
  role: 'primary' | 'secondary';
  service: string;
  stage: string;
  bucket: string;
  functions: LocalFunction[];
  routes: HttpRoute[];
  schedules: Schedule[];
  stateMachines: LocalStateMachine[];
  alarms: Array<{ region: string; kind: 'metric' | 'composite'; properties: Record<string, unknown> }>;
  rules: LocalRule[];
  parameters: Array<{ region: string; name: string; value: string; type?: 'String' | 'SecureString' | 'StringList' }>;
  cors?: { allowedOrigins?: string[]; allowedHeaders?: string[]; allowedMethods?: string[]; maxAge?: number };
  authorizers: Record<string, { issuerUrl?: string; audience?: string[] }>;
  /** Every table of the stage (global tables: the same in both regions). */
  tables: CreateTableCommandInput[];
  /**
   * The tables in multi-Region strong consistency (`MultiRegionConsistency: STRONG`) and their
   * witness region: served by the quorum doors (local/quorum), neither created as plain tables
   * nor replicated like the others.
   */
  strongTables: Array<{ tableName: string; witnessRegion: string }>;
}

export interface LocalFunction {
  key: string;
  name: string;
  arn: string;
  /** e.g. services/state-api/get-state-handler.handler */
  handler: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

export interface HttpRoute {
  method: string;
  path: string;
  functionKey: string;
  authorizer?: string;
}

export interface Schedule {
  functionKey: string;
  rate: string;
  input?: unknown;
  /**
   * The period of the rounds its function runs within one invocation (the health probe: a round
   * every PROBE_INTERVAL_SECONDS of its minute), in AWS seconds; locally an invocation runs one
   * round (services/health-probe/wiring.ts), so the runtime fires it once per scaled round.
   */
  roundSeconds?: number;
}

export interface LocalStateMachine {
  key: string;
  name: string;
  arn: string;
  definition: Record<string, unknown>;
}

export interface LocalRule {
  region: string;
  name: string;
  eventPattern: Record<string, unknown>;
  target: {
    stateMachineArn: string;
    input?: string;
    inputPath?: string;
    inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  };
}

const accountId = LOCAL_ACCOUNT_ID;

function functionLogicalId(key: string): string {
  // serverless naming: normalizeName(functionName) + 'LambdaFunction', with '-' → 'Dash', '_' → 'Underscore'.
  const normalized = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

function stateMachineLogicalId(key: string, name?: string): string {
  const base = (name ?? key).replace(/[^A-Za-z0-9]/g, '');
  return `${base.charAt(0).toUpperCase()}${base.slice(1)}`;
}

/** Ref / GetAtt values for the resources the local runtime stands in for. */
function intrinsicContext(def: ResolvedService, region: string): IntrinsicContext {
  const attributes: Record<string, string> = {};
  // The HTTP API osls generates: its id only appears inside AWS URLs (SELF_API_URL, the api-url
  // parameter), which local code never uses because SWITCHYARD_REGION_ENDPOINTS names each region's API.
  const refs: Record<string, string> = { HttpApi: `local-${region}` };
  const ctx: IntrinsicContext = { region, accountId, refs, attributes };
  for (const [key, fn] of Object.entries(def.functions)) {
    const name = fn.name ?? `${def.service}-${def.provider.stage}-${key}`;
    const id = functionLogicalId(key);
    refs[id] = name;
    attributes[`${id}.Arn`] = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  }
  for (const [key, sm] of Object.entries(def.stepFunctions?.stateMachines ?? {})) {
    const name = sm.name ?? `${key}-${def.provider.stage}`;
    const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
    for (const id of [
      stateMachineLogicalId(key),
      stateMachineLogicalId(key, sm.name),
      `${stateMachineLogicalId(key)}StepFunctionsStateMachine`,
    ]) {
      refs[id] = arn;
      attributes[`${id}.Name`] = name;
    }
  }
  const resources = def.resources?.Resources ?? {};
  // Two passes: names may refer to other resources' names.
  for (let pass = 0; pass < 2; pass += 1) {
    ctx.conditions = evaluateConditions(def.resources?.Conditions as Record<string, unknown>, ctx);
    for (const [id, resource] of Object.entries(resources)) {
      try {
        describeResource(id, resource, ctx, refs, attributes, region);
      } catch {
        // resolved on the second pass, or not needed locally
      }
    }
  }
  return ctx;
}

function describeResource(
  id: string,
  resource: CfnResource,
  ctx: IntrinsicContext,
  refs: Record<string, string>,
  attributes: Record<string, string>,
  region: string,
): void {
  const props = (resource.Properties ?? {}) as Record<string, unknown>;
  const named = (key: string): string => resolveIntrinsics(props[key], ctx) as string;
  switch (resource.Type) {
    case 'AWS::S3::Bucket': {
      const name = named('BucketName');
      refs[id] = name;
      attributes[`${id}.Arn`] = `arn:aws:s3:::${name}`;
      break;
    }
    case 'AWS::SNS::Topic': {
      const name = named('TopicName') ?? id;
      const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
      refs[id] = arn;
      attributes[`${id}.TopicArn`] = arn;
      attributes[`${id}.TopicName`] = name;
      break;
    }
    case 'AWS::SSM::Parameter':
      refs[id] = named('Name');
      break;
    case 'AWS::DynamoDB::GlobalTable':
    case 'AWS::DynamoDB::Table': {
      const name = named('TableName');
      refs[id] = name;
      attributes[`${id}.Arn`] = `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
      break;
    }
    case 'AWS::CloudWatch::Alarm':
    case 'AWS::CloudWatch::CompositeAlarm': {
      const name = named('AlarmName') ?? id;
      refs[id] = name;
      attributes[`${id}.Arn`] = `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
      break;
    }
    case 'AWS::Cognito::UserPool':
    case 'AWS::Cognito::UserPoolClient':
      // No Cognito locally: routes with an authorizer are checked against the dev issuer.
      refs[id] = `local-${id}`;
      break;
    default:
      break;
  }
}

function stringEnv(env: Record<string, unknown>, ctx: IntrinsicContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const resolved = resolveIntrinsics(value, ctx);
    if (resolved !== undefined && resolved !== null) out[key] = String(resolved);
  }
  return out;
}

export function buildRegionTopology(
  def: ResolvedService,
  tablesSource: ResolvedService,
): RegionTopology & { tables: CreateTableCommandInput[] } {
  const region = def.provider.region;
  const ctx = intrinsicContext(def, region);
  const stage = def.provider.stage;
  const functions: LocalFunction[] = [];
  const routes: HttpRoute[] = [];
  const schedules: Schedule[] = [];
  for (const [key, fn] of Object.entries(def.functions)) {
    const name = fn.name ?? `${def.service}-${stage}-${key}`;
    functions.push({
      key,
      name,
      arn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
      handler: fn.handler,
      timeoutSeconds: fn.timeout ?? def.provider.timeout ?? 6,
      environment: stringEnv({ ...(def.provider.environment ?? {}), ...(fn.environment ?? {}) }, ctx),
    });
    for (const event of fn.events ?? []) {
      if (event.httpApi) {
        const http = event.httpApi as { method?: string; path?: string; authorizer?: { name?: string } } | string;
        const [method, path] = typeof http === 'string' ? http.split(' ') : [http.method ?? '*', http.path ?? '/'];
        routes.push({
          method: (method ?? '*').toUpperCase(),
          path: path ?? '/',
          functionKey: key,
          ...(typeof http === 'object' && http.authorizer?.name ? { authorizer: http.authorizer.name } : {}),
        });
      }
      if (event.schedule) {
        const s = event.schedule as { rate?: string | string[]; input?: unknown; enabled?: boolean } | string;
        if (typeof s === 'object' && s.enabled === false) continue;
        const rate = typeof s === 'string' ? s : Array.isArray(s.rate) ? (s.rate[0] ?? '') : (s.rate ?? '');
        const roundSeconds = Number(fn.environment?.PROBE_INTERVAL_SECONDS);
        schedules.push({
          functionKey: key,
          rate,
          ...(typeof s === 'object' && s.input !== undefined ? { input: s.input } : {}),
          ...(Number.isFinite(roundSeconds) && roundSeconds > 0 ? { roundSeconds } : {}),
        });
      }
    }
  }

  const stateMachines: LocalStateMachine[] = [];
  const rules: LocalRule[] = [];
  for (const [key, sm] of Object.entries(def.stepFunctions?.stateMachines ?? {})) {
    const name = sm.name ?? `${key}-${stage}`;
    const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
    stateMachines.push({ key, name, arn, definition: resolveIntrinsics(sm.definition, ctx) as Record<string, unknown> });
    (sm.events ?? []).forEach((event, index) => {
      const trigger = (event.eventBridge ?? event.cloudwatchEvent) as
        | {
            event?: Record<string, unknown>;
            input?: unknown;
            inputPath?: string;
            inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
            enabled?: boolean;
            name?: string;
          }
        | undefined;
      if (!trigger?.event || trigger.enabled === false) return;
      rules.push({
        region,
        name: trigger.name ?? `${name}-rule-${index + 1}`,
        eventPattern: resolveIntrinsics(trigger.event, ctx) as Record<string, unknown>,
        target: {
          stateMachineArn: arn,
          ...(trigger.input !== undefined
            ? { input: typeof trigger.input === 'string' ? trigger.input : JSON.stringify(trigger.input) }
            : {}),
          ...(trigger.inputPath ? { inputPath: trigger.inputPath } : {}),
          ...(trigger.inputTransformer
            ? {
                inputTransformer: {
                  InputPathsMap: trigger.inputTransformer.inputPathsMap,
                  InputTemplate: trigger.inputTransformer.inputTemplate,
                },
              }
            : {}),
        },
      });
    });
  }

  const alarms: RegionTopology['alarms'] = [];
  const parameters: RegionTopology['parameters'] = [];
  let bucket = '';
  for (const [id, resource] of Object.entries(def.resources?.Resources ?? {})) {
    if (resource.Condition && ctx.conditions?.[resource.Condition] === false) continue;
    if (resource.Type === 'AWS::CloudWatch::Alarm' || resource.Type === 'AWS::CloudWatch::CompositeAlarm') {
      const properties = resolveIntrinsics(resource.Properties ?? {}, ctx) as Record<string, unknown>;
      properties.AlarmName ??= id;
      alarms.push({ region, kind: resource.Type === 'AWS::CloudWatch::Alarm' ? 'metric' : 'composite', properties });
    } else if (resource.Type === 'AWS::SSM::Parameter') {
      const p = resolveIntrinsics(resource.Properties ?? {}, ctx) as { Name: string; Value: string; Type?: 'String' | 'StringList' };
      parameters.push({ region, name: p.Name, value: p.Value, type: p.Type ?? 'String' });
    } else if (resource.Type === 'AWS::S3::Bucket' && id === 'PhotosBucket') {
      bucket = ctx.refs?.[id] ?? '';
    }
  }

  const httpApi = (def.provider as { httpApi?: { cors?: RegionTopology['cors']; authorizers?: RegionTopology['authorizers'] } }).httpApi;
  const tablesCtx = { region: tablesSource.provider.region, accountId };
  return {
    region,
    role: def.custom.stage.role,
    service: def.service,
    stage,
    bucket,
    functions,
    routes,
    schedules,
    stateMachines,
    alarms,
    rules,
    parameters,
    ...(httpApi?.cors ? { cors: httpApi.cors } : {}),
    authorizers: (resolveIntrinsics(httpApi?.authorizers ?? {}, ctx) as RegionTopology['authorizers']) ?? {},
    tables: tablesOf(tablesSource.resources?.Resources, tablesCtx),
    strongTables: strongTablesOf(tablesSource.resources?.Resources, tablesCtx),
  };
}
