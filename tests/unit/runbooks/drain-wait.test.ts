import { waitTimestampNotBefore } from '../../../services/runbooks/steps/fence';

describe("the drain Wait's timestamp", () => {
  it('is the bound rounded up to a whole second, so truncating its milliseconds never ends the drain early', () => {
    expect(waitTimestampNotBefore('2026-12-01T18:27:03.001Z')).toBe('2026-12-01T18:27:04.000Z');
    expect(waitTimestampNotBefore('2026-12-01T18:27:03.999Z')).toBe('2026-12-01T18:27:04.000Z');
    expect(waitTimestampNotBefore('2026-12-01T23:59:59.500Z')).toBe('2026-12-02T00:00:00.000Z');
  });

  it('is the bound itself when that is a whole second', () => {
    expect(waitTimestampNotBefore('2026-12-01T18:27:03.000Z')).toBe('2026-12-01T18:27:03.000Z');
  });
});
