import { checkQuorum, loadStageConfig } from '../../../infra/stage-config.cjs';

const lease = {
  writeLeaseMillis: 2000,
  clockSkewMarginMillis: 500,
  stateWriteTimeoutMillis: 1000,
  lockLeaseSeconds: 120,
  heartbeatStaleSeconds: 30,
};

describe('the quorum of a stage', () => {
  it('is accepted when the two regions and the witness form one MRSC region set', () => {
    expect(() =>
      checkQuorum(
        { primaryRegion: 'eu-west-1', secondaryRegion: 'eu-central-1', quorum: { witnessRegion: 'eu-west-2', ...lease } },
        'x.yml',
      ),
    ).not.toThrow();
    expect(loadStageConfig('dev').quorum.witnessRegion).toBe('us-east-2');
  });

  it.each([
    ['regions of two sets', 'us-east-1', 'eu-west-1', 'us-east-2', /not in one multi-Region strong consistency region set.*US: us-east-1/],
    ['a witness outside the set', 'us-east-1', 'us-west-2', 'eu-west-1', /not in one multi-Region strong consistency region set/],
    ['a witness that is a replica region', 'us-east-1', 'us-west-2', 'us-west-2', /must differ from the primary and the secondary/],
    ['no witness', 'us-east-1', 'us-west-2', undefined, /quorum.witnessRegion must be an AWS region name/],
  ])('is refused with %s, saying why', (_case, primaryRegion, secondaryRegion, witnessRegion, message) => {
    const config = { primaryRegion, secondaryRegion, quorum: { witnessRegion, ...lease } } as Parameters<typeof checkQuorum>[0];
    expect(() => checkQuorum(config, 'x.yml')).toThrow(message);
  });

  it('is refused without a positive lease', () => {
    const config = {
      primaryRegion: 'us-east-1',
      secondaryRegion: 'us-west-2',
      quorum: { witnessRegion: 'us-east-2', ...lease, writeLeaseMillis: 0 },
    };
    expect(() => checkQuorum(config, 'x.yml')).toThrow(/quorum.writeLeaseMillis must be a positive number/);
  });
});
