import { QuorumConfigError, QuorumMembership } from '../../../local/quorum';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const WITNESS = 'us-east-2';

type Fault = (m: QuorumMembership) => void;

describe('the MRSC quorum: two replicas and a witness, majority of three', () => {
  const cases: Array<[string, Fault[], { east: number; west: number }]> = [
    ['everything up', [], { east: 3, west: 3 }],
    ['witness down', [(m) => m.setWitnessDown(true)], { east: 2, west: 2 }],
    ['link partitioned: both still reach the witness', [(m) => m.setLinkPartitioned(true)], { east: 2, west: 2 }],
    [
      'link partitioned and witness down: nobody has the majority',
      [(m) => m.setLinkPartitioned(true), (m) => m.setWitnessDown(true)],
      { east: 1, west: 1 },
    ],
    ['east partitioned: 1 of 3, west keeps the witness', [(m) => m.setPartitioned(EAST, true)], { east: 1, west: 2 }],
    ['east cut (full outage): no vote at all', [(m) => m.setRegionDown(EAST, true)], { east: 0, west: 2 }],
    ['east cut and witness down: west alone', [(m) => m.setRegionDown(EAST, true), (m) => m.setWitnessDown(true)], { east: 0, west: 1 }],
  ];

  it.each(cases)('%s', (_name, faults, votes) => {
    const m = new QuorumMembership([EAST, WEST], WITNESS);
    for (const fault of faults) fault(m);
    expect(m.view(EAST).votes).toBe(votes.east);
    expect(m.view(WEST).votes).toBe(votes.west);
    expect(m.hasMajority(EAST)).toBe(votes.east >= 2);
    expect(m.hasMajority(WEST)).toBe(votes.west >= 2);
  });

  it('names the participants a region reaches', () => {
    const m = new QuorumMembership([EAST, WEST], WITNESS);
    m.setLinkPartitioned(true);
    expect(m.view(EAST).reaches).toEqual([WITNESS]);
    m.setLinkPartitioned(false);
    m.setWitnessDown(true);
    expect(m.view(WEST).reaches).toEqual([EAST]);
  });

  it('heals each fault on its own, and tells listeners only about changes', () => {
    const m = new QuorumMembership([EAST, WEST], WITNESS);
    const changes: boolean[] = [];
    m.onChange(() => changes.push(m.hasMajority(EAST)));
    m.setPartitioned(EAST, true);
    m.setPartitioned(EAST, true);
    m.setRegionDown(EAST, true);
    m.setPartitioned(EAST, false);
    expect(m.hasMajority(EAST)).toBe(false); // still cut
    m.setRegionDown(EAST, false);
    expect(changes).toEqual([false, false, false, true]);
  });

  it('refuses unknown regions and a witness that is one of the replicas', () => {
    const m = new QuorumMembership([EAST, WEST], WITNESS);
    expect(() => m.setPartitioned('eu-west-1', true)).toThrow(QuorumConfigError);
    expect(() => new QuorumMembership([EAST, WEST], WEST)).toThrow(QuorumConfigError);
  });
});
