import { peerOf, UnknownRegion } from '../../../local/region-pair';

const PAIR = ['us-east-1', 'us-west-2'] as const;

describe('peerOf', () => {
  it.each([
    ['us-east-1', 'us-west-2'],
    ['us-west-2', 'us-east-1'],
  ])('the peer of %s is %s', (region, peer) => {
    expect(peerOf(PAIR, region)).toBe(peer);
  });

  it('refuses a region outside the pair, naming both', () => {
    // Act
    const attempt = () => peerOf(PAIR, 'eu-west-1');

    // Assess: a RangeError, so the replication engine's callers see what they saw before
    expect(attempt).toThrow(UnknownRegion);
    expect(attempt).toThrow(RangeError);
    expect(attempt).toThrow('Unknown region "eu-west-1" (this stage has us-east-1 and us-west-2)');
  });
});
