import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { CfnResource } from './service-definition';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface IntrinsicContext {
  region: string;
  accountId?: string;
  /** Logical id -> value of `Ref`. */
  refs?: Record<string, string>;
  /** "LogicalId.Attr" -> value of `Fn::GetAtt`. */
  attributes?: Record<string, string>;
  conditions?: Record<string, boolean>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves the CloudFormation intrinsics this project uses (Ref, Fn::Sub, Fn::GetAtt,
 * Fn::Join, Fn::If, Fn::Equals) so the embedded runtime can read the same resource
 * definitions that CloudFormation deploys. Unknown references throw with their name.
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext): unknown {
  const resolved = resolve(value, ctx);
  return resolved === NO_VALUE ? undefined : resolved;
}

function pseudo(name: string, ctx: IntrinsicContext): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId ?? LOCAL_ACCOUNT_ID;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return undefined;
  }
}

function ref(name: string, ctx: IntrinsicContext): string {
  const value = pseudo(name, ctx) ?? ctx.refs?.[name];
  if (value === undefined) throw new Error(`Cannot resolve Ref ${name} locally`);
  return value;
}

function getAtt(target: string, ctx: IntrinsicContext): string {
  const value = ctx.attributes?.[target];
  if (value === undefined) throw new Error(`Cannot resolve Fn::GetAtt ${target} locally`);
  return value;
}

function sub(template: string, vars: Record<string, unknown>, ctx: IntrinsicContext): string {
  return template.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
    if (name in vars) return String(resolve(vars[name], ctx));
    if (name.includes('.') && !name.startsWith('AWS::')) return getAtt(name, ctx);
    return ref(name, ctx);
  });
}

function resolve(value: unknown, ctx: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    switch (key) {
      case 'Ref':
        return arg === 'AWS::NoValue' ? NO_VALUE : ref(String(arg), ctx);
      case 'Fn::GetAtt':
        return getAtt(Array.isArray(arg) ? arg.join('.') : String(arg), ctx);
      case 'Fn::Sub':
        return Array.isArray(arg) ? sub(String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>, ctx) : sub(String(arg), {}, ctx);
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts, ctx) as unknown[]).join(separator);
      }
      case 'Fn::Equals': {
        const [a, b] = resolve(arg, ctx) as [unknown, unknown];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        const holds = ctx.conditions?.[condition];
        if (holds === undefined) throw new Error(`Unknown condition ${condition}`);
        return resolve(holds ? whenTrue : whenFalse, ctx);
      }
      default:
        break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    const r = resolve(v, ctx);
    if (r !== NO_VALUE) out[key] = r;
  }
  return out;
}

/** Evaluates a template's Conditions section. */
export function evaluateConditions(conditions: Record<string, unknown> | undefined, ctx: IntrinsicContext): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, expr] of Object.entries(conditions ?? {})) out[name] = resolveIntrinsics(expr, ctx) === true;
  return out;
}

/** The CreateTable input equivalent to an AWS::DynamoDB::GlobalTable (or AWS::DynamoDB::Table) resource. */
export function tableFromResource(resource: CfnResource, ctx: IntrinsicContext): CreateTableCommandInput {
  if (resource.Type !== 'AWS::DynamoDB::GlobalTable' && resource.Type !== 'AWS::DynamoDB::Table') {
    throw new Error(`Not a DynamoDB table: ${resource.Type}`);
  }
  const p = resolveIntrinsics(resource.Properties ?? {}, ctx) as Record<string, unknown>;
  const gsis = p.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined;
  return {
    TableName: p.TableName as string,
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis
      ? {
          GlobalSecondaryIndexes: gsis.map((g) => ({
            IndexName: g.IndexName as string,
            KeySchema: g.KeySchema as NonNullable<CreateTableCommandInput['KeySchema']>,
            Projection: g.Projection as { ProjectionType: 'ALL' },
          })),
        }
      : {}),
    StreamSpecification: p.StreamSpecification
      ? { StreamEnabled: true, StreamViewType: (p.StreamSpecification as { StreamViewType: 'NEW_AND_OLD_IMAGES' }).StreamViewType }
      : undefined,
  };
}

/** Every DynamoDB table declared in a resolved serverless.yml. */
export function tablesOf(resources: Record<string, CfnResource> | undefined, ctx: IntrinsicContext): CreateTableCommandInput[] {
  return Object.values(resources ?? {})
    .filter((r) => r.Type === 'AWS::DynamoDB::GlobalTable' || r.Type === 'AWS::DynamoDB::Table')
    .map((r) => tableFromResource(r, ctx));
}

/**
 * The global tables in multi-Region strong consistency (`MultiRegionConsistency: STRONG`), with
 * their witness region (`GlobalTableWitnesses`): the embedded runtime serves them through its
 * quorum doors (local/quorum), not as plain replicated tables.
 */
export function strongTablesOf(
  resources: Record<string, CfnResource> | undefined,
  ctx: IntrinsicContext,
): Array<{ tableName: string; witnessRegion: string }> {
  return Object.entries(resources ?? {}).flatMap(([id, resource]) => {
    if (resource.Type !== 'AWS::DynamoDB::GlobalTable') return [];
    const p = resolveIntrinsics(resource.Properties ?? {}, ctx) as {
      TableName?: string;
      MultiRegionConsistency?: string;
      GlobalTableWitnesses?: Array<{ Region?: string }>;
    };
    if (p.MultiRegionConsistency !== 'STRONG') return [];
    const witnessRegion = p.GlobalTableWitnesses?.[0]?.Region;
    if (!p.TableName || !witnessRegion) {
      throw new Error(`${id}: an MRSC global table needs a TableName and one GlobalTableWitnesses region to be emulated locally`);
    }
    return [{ tableName: p.TableName, witnessRegion }];
  });
}
