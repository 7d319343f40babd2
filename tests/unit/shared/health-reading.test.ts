import { isFresh, readHealthRecord, recordAgeSeconds } from '../../../shared/health/reading';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();

describe('readHealthRecord: the one rule for a probe record', () => {
  it.each([
    ['a fresh healthy record', { status: 'healthy', checkedAt: at(29), healthySince: at(600) }, 'healthy', at(600), null],
    ['a record exactly at the threshold', { status: 'healthy', checkedAt: at(30), healthySince: at(600) }, 'healthy', at(600), null],
    ['a record past the threshold', { status: 'healthy', checkedAt: at(31), healthySince: at(600) }, 'unknown', null, 'stale'],
    ['a fresh unhealthy record', { status: 'unhealthy', checkedAt: at(5), healthySince: null }, 'unhealthy', null, null],
    ['a record without checkedAt', { status: 'healthy' }, 'unknown', null, 'no checkedAt'],
    ['a record with another status', { status: 'meh', checkedAt: at(1) }, 'unknown', null, 'unknown status'],
    ['no record', undefined, 'unknown', null, 'no record'],
  ])('%s', (_case, item, status, healthySince, unknownBecause) => {
    // Act
    const reading = readHealthRecord(item, NOW, 30);
    // Assess
    expect(reading).toMatchObject({ status, healthySince, unknownBecause });
  });

  it('gives the age in seconds, and none without a readable checkedAt', () => {
    expect(recordAgeSeconds(at(12.5), NOW)).toBe(12.5);
    expect(recordAgeSeconds('yesterday', NOW)).toBeNull();
    expect(isFresh(null, 30)).toBe(false);
    expect(isFresh(-2, 30)).toBe(true);
  });
});
