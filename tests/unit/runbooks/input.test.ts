import { InvalidRunbookInput } from '../../../services/runbooks/errors';
import { isAutomatic, parseRunbookInput } from '../../../services/runbooks/input';

describe('parseRunbookInput', () => {
  it('fills defaults for a failover', () => {
    // Act
    const input = parseRunbookInput('failover', { reason: 'region degraded', requestedBy: 'oncall:alice' });
    // Assess
    expect(input).toEqual({
      reason: 'region degraded',
      requestedBy: 'oncall:alice',
      dryRun: false,
      force: false,
      expectedVersion: null,
      detectedAt: null,
      mode: 'planned',
      lift: false,
      primaryHealthConfirmed: false,
    });
  });

  it.each([
    ['a missing reason', { requestedBy: 'oncall:a' }, /reason/],
    ['a missing requester', { reason: 'drill' }, /requestedBy/],
    ['an unknown mode', { reason: 'drill', requestedBy: 'a', mode: 'fast' }, /mode/],
    ['a misspelt field', { reason: 'drill', requestedBy: 'a', dryrun: true }, /unknown field\(s\): dryrun/],
    ['a negative expected version', { reason: 'drill', requestedBy: 'a', expectedVersion: -1 }, /expectedVersion/],
    ['markup in requestedBy', { reason: 'drill', requestedBy: '<script>' }, /requestedBy/],
  ])('refuses %s with a reason', (_case, raw, message) => {
    expect(() => parseRunbookInput('failover', raw)).toThrow(InvalidRunbookInput);
    expect(() => parseRunbookInput('failover', raw)).toThrow(message);
  });

  it('accepts only the fields of its own runbook', () => {
    expect(() => parseRunbookInput('failback', { reason: 'back', requestedBy: 'a', mode: 'planned' })).toThrow(/mode/);
    expect(parseRunbookInput('fence', { reason: 'lift it', requestedBy: 'a', lift: true }).lift).toBe(true);
    expect(() => parseRunbookInput('fence', { reason: 'x!!', requestedBy: 'a', force: true })).toThrow(/force/);
  });
});

describe('isAutomatic', () => {
  it('is true only for runs started by an alarm', () => {
    expect(isAutomatic('alarm:primary-down')).toBe(true);
    expect(isAutomatic('oncall:alarm')).toBe(false);
  });
});
