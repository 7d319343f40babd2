import { ID_PATTERN, newId } from '../../../shared/photos/ids';

describe('newId', () => {
  it('makes ULIDs that match ID_PATTERN', () => {
    // Act
    const id = newId(new Date());

    // Assess
    expect(id).toMatch(ID_PATTERN);
  });

  it('sorts by creation time', () => {
    // Prepare
    const earlier = newId(new Date('2025-01-01T00:00:00.000Z'));
    const later = newId(new Date('2025-01-01T00:00:00.001Z'));

    // Assess
    expect(earlier < later).toBe(true);
  });

  it('encodes the time and the random bits exactly', () => {
    // Prepare: time 0 and all-ones randomness
    const id = newId(new Date(0), (size) => new Uint8Array(size).fill(0xff));

    // Assess
    expect(id).toBe(`${'0'.repeat(10)}${'Z'.repeat(16)}`);
  });
});
