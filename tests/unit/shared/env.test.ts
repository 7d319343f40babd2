import { InvalidEnvironment, loadAppEnv, loadEnv, nonEmpty } from '../../../shared/env';
import * as z from '../../../shared/zod';

const valid = {
  APP_ID: 'switchyard',
  PRIMARY_REGION: 'us-east-1',
  SECONDARY_REGION: 'us-west-2',
  APP_STATE_TABLE: 'switchyard-dev-app-state',
  QUORUM_TABLE: 'switchyard-dev-quorum',
  WRITE_LEASE_MS: '2000',
  CLOCK_SKEW_MARGIN_MS: '500',
  AWS_REGION: 'us-west-2',
};

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof InvalidEnvironment) return error.problems;
    throw error;
  }
  throw new Error('expected InvalidEnvironment');
}

describe('environment', () => {
  it('returns the typed application config, with any extra variables', () => {
    // Act
    const env = loadAppEnv({ PHOTOS_TABLE: nonEmpty }, { ...valid, PHOTOS_TABLE: 'photos', UNRELATED: 'x' });

    // Assess
    expect(env).toEqual({ ...valid, WRITE_LEASE_MS: 2000, CLOCK_SKEW_MARGIN_MS: 500, PHOTOS_TABLE: 'photos' });
  });

  it('names every missing variable', () => {
    // Act
    const problems = problemsOf(() => loadAppEnv({}, { APP_ID: 'switchyard', PRIMARY_REGION: 'us-east-1' }));

    // Assess
    expect(problems).toEqual([
      'SECONDARY_REGION is required',
      'APP_STATE_TABLE is required',
      'QUORUM_TABLE is required',
      'WRITE_LEASE_MS is required',
      'CLOCK_SKEW_MARGIN_MS is required',
      'AWS_REGION is required',
    ]);
  });

  it('names a bad variable without echoing its value', () => {
    // Act
    const problems = problemsOf(() => loadAppEnv({}, { ...valid, APP_STATE_TABLE: '   ', PRIMARY_REGION: 'secret-value' }));

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^PRIMARY_REGION /), expect.stringMatching(/^APP_STATE_TABLE /)]);
    expect(problems.join(' ')).not.toContain('secret-value');
  });

  it('refuses a function running in a region that is neither the primary nor the secondary', () => {
    // Act
    const problems = problemsOf(() => loadAppEnv({}, { ...valid, AWS_REGION: 'eu-west-1' }));

    // Assess
    expect(problems).toEqual(['AWS_REGION must be PRIMARY_REGION or SECONDARY_REGION']);
  });

  it('refuses a stage whose primary and secondary are the same region', () => {
    // Act
    const problems = problemsOf(() => loadAppEnv({}, { ...valid, SECONDARY_REGION: 'us-east-1', AWS_REGION: 'us-east-1' }));

    // Assess
    expect(problems).toEqual(['SECONDARY_REGION must differ from PRIMARY_REGION']);
  });

  it('takes durations as whole positive numbers', () => {
    expect(problemsOf(() => loadAppEnv({}, { ...valid, WRITE_LEASE_MS: '2s' }))).toEqual(['WRITE_LEASE_MS must be a whole number > 0']);
  });

  it('parses any schema with loadEnv, failing with the variable name', () => {
    // Prepare
    const schema = z.object({ LIMIT: z.coerce.number().check(z.int(), z.positive()) });

    // Act / Assess
    expect(loadEnv(schema, { LIMIT: '10' })).toEqual({ LIMIT: 10 });
    expect(problemsOf(() => loadEnv(schema, { LIMIT: '-1' }))).toEqual([expect.stringMatching(/^LIMIT /)]);
  });
});
