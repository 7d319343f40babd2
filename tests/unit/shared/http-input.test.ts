import { InvalidInput, parseInput } from '../../../shared/http/input';
import { listQuerySchema } from '../../../shared/photos/schemas';
import * as z from '../../../shared/zod';

const issuesOf = (schema: z.ZodMiniType, value: unknown): string[] => {
  try {
    parseInput(schema, value);
  } catch (error) {
    if (error instanceof InvalidInput) return error.issues;
    throw error;
  }
  return [];
};

describe('parseInput', () => {
  it('names the field and the rule, with the unit of a length bound in the right number', () => {
    // Act / Assess
    expect(issuesOf(listQuerySchema, { cursor: '' })).toEqual(['cursor: must be at least 1 character']);
    expect(issuesOf(listQuerySchema, { cursor: 'x'.repeat(513) })).toEqual(['cursor: must be at most 512 characters']);
    expect(issuesOf(listQuerySchema, { limit: '500' })).toEqual(['limit: must be at most 100']);
    expect(issuesOf(z.strictObject({ name: z.string().check(z.minLength(2)) }), { name: 'a' })).toEqual([
      'name: must be at least 2 characters',
    ]);
  });

  it('never echoes the value, and refuses fields the request does not take', () => {
    // Act
    const issues = issuesOf(listQuerySchema, { limit: 'DROP TABLE', extra: '<script>' });

    // Assess
    expect(issues).toEqual(['limit: is not in the expected format', 'input: has a field this request does not accept']);
    expect(issues.join(' ')).not.toMatch(/DROP|script/);
  });

  it('gives the parsed value, defaults filled in', () => {
    expect(parseInput(listQuerySchema, {})).toEqual({ limit: 20 });
    expect(parseInput(listQuerySchema, { limit: '7', cursor: 'abc' })).toEqual({ limit: 7, cursor: 'abc' });
  });
});
