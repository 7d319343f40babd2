// Configuration from the environment: one schema per handler, parsed once at module load, so a
// misconfigured function fails on its first (cold) start with the variable's name instead of
// deep inside a request. Values are never echoed in errors: only names and rules.
import * as z from './zod';

export class InvalidEnvironment extends Error {
  override readonly name = 'InvalidEnvironment';
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join('; ')}`);
  }
}

export type Env = Record<string, string | undefined>;

/** Parses `env` (process.env by default) with the schema, or throws InvalidEnvironment naming every bad variable. */
export function loadEnv<S extends z.ZodMiniType>(schema: S, env: Env = process.env): z.output<S> {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || 'environment';
    return env[name] === undefined ? `${name} is required` : `${name} ${issue.message}`;
  });
  throw new InvalidEnvironment([...new Set(problems)]);
}

export const nonEmpty = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));
/** A whole number > 0 given as a string (environment variables are strings). */
export const positiveInteger = z.pipe(
  z.string().check(z.regex(/^[1-9]\d*$/, 'must be a whole number > 0')),
  z.transform((value: string) => Number(value)),
);
export const regionName = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region name such as us-east-1'));

/** Variables serverless.yml's provider.environment gives every function (AWS_REGION comes from Lambda). */
export const appEnvShape = {
  APP_ID: nonEmpty,
  PRIMARY_REGION: regionName,
  SECONDARY_REGION: regionName,
  APP_STATE_TABLE: nonEmpty,
  QUORUM_TABLE: nonEmpty,
  WRITE_LEASE_MS: positiveInteger,
  CLOCK_SKEW_MARGIN_MS: positiveInteger,
  AWS_REGION: regionName,
};

type AppEnvShape = typeof appEnvShape;

/**
 * The application's identity and this function's region, plus any `extra` variables the caller
 * needs, e.g. `loadAppEnv({ PHOTOS_TABLE: nonEmpty })`. A function running in a region that is
 * neither the primary nor the secondary would gate writes against the wrong state: refused.
 */
export function loadAppEnv<E extends z.core.$ZodShape = Record<never, never>>(
  extra?: E,
  env: Env = process.env,
): z.output<z.ZodMiniObject<AppEnvShape & E>> {
  const schema = z.object({ ...appEnvShape, ...(extra ?? {}) } as AppEnvShape & E).check(
    z.superRefine((value, ctx) => {
      const { PRIMARY_REGION, SECONDARY_REGION, AWS_REGION } = value as z.output<z.ZodMiniObject<AppEnvShape>>;
      if (PRIMARY_REGION === SECONDARY_REGION)
        ctx.addIssue({ code: 'custom', path: ['SECONDARY_REGION'], message: 'must differ from PRIMARY_REGION' });
      if (AWS_REGION !== PRIMARY_REGION && AWS_REGION !== SECONDARY_REGION) {
        ctx.addIssue({ code: 'custom', path: ['AWS_REGION'], message: 'must be PRIMARY_REGION or SECONDARY_REGION' });
      }
    }),
  );
  return loadEnv(schema, env) as z.output<z.ZodMiniObject<AppEnvShape & E>>;
}
