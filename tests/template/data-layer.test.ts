import { type CfnTemplate, packagedTemplate, resourcesOfType, stage } from '../support/templates';

const primary = packagedTemplate(stage.primaryRegion);
const secondary = packagedTemplate(stage.secondaryRegion);

describe('global tables', () => {
  const all = resourcesOfType(primary, 'AWS::DynamoDB::GlobalTable');
  // The eventually consistent ones (MREC); the quorum table is checked on its own below.
  const tables = all.filter(([id]) => id !== 'QuorumTable');

  it('are created by the primary deploy only', () => {
    expect(all.map(([id]) => id).sort()).toEqual(['AppStateTable', 'CommentsTable', 'IdempotencyTable', 'PhotosTable', 'QuorumTable']);
    expect(resourcesOfType(secondary, 'AWS::DynamoDB::GlobalTable')).toEqual([]);
    expect(resourcesOfType(secondary, 'AWS::DynamoDB::Table')).toEqual([]);
  });

  it.each(tables.map(([id, r]) => [id, r]))(
    '%s has a replica in both regions with PITR, SSE, streams and on-demand billing',
    (_id, table) => {
      const p = table.Properties as Record<string, any>;
      expect(p.Replicas.map((r: { Region: string }) => r.Region)).toEqual([stage.primaryRegion, stage.secondaryRegion]);
      for (const replica of p.Replicas) expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      expect(p.SSESpecification.SSEEnabled).toBe(true);
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    },
  );

  it('keeps the data when the stack goes away', () => {
    for (const [, table] of all) expect((table as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
  });
});

describe('the quorum table', () => {
  const p = primary.Resources.QuorumTable?.Properties as Record<string, any>;

  it('is strongly consistent across regions, with a replica in each region and the stage witness', () => {
    expect(p.MultiRegionConsistency).toBe('STRONG');
    expect(p.Replicas.map((r: { Region: string }) => r.Region)).toEqual([stage.primaryRegion, stage.secondaryRegion]);
    expect(p.GlobalTableWitnesses).toEqual([{ Region: stage.quorum.witnessRegion }]);
    for (const replica of p.Replicas) expect(replica.DeletionProtectionEnabled).toBe(true);
  });

  it('uses nothing MRSC does not support (TTL)', () => {
    expect(p.TimeToLiveSpecification).toBeUndefined();
  });

  it('is the table every function is told about', () => {
    for (const [, fn] of resourcesOfType(primary, 'AWS::Lambda::Function')) {
      expect((fn.Properties as any).Environment.Variables.QUORUM_TABLE).toBe(p.TableName);
    }
  });
});

describe.each([
  ['primary', primary, stage.primaryRegion, stage.secondaryRegion],
  ['secondary', secondary, stage.secondaryRegion, stage.primaryRegion],
] as Array<[string, CfnTemplate, string, string]>)('the %s photo bucket', (_role, template, region, peer) => {
  const p = template.Resources.PhotosBucket?.Properties as Record<string, any>;

  it('is private, encrypted and versioned', () => {
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/AES256|aws:kms/);
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(p.BucketName)).toContain('${AWS::Region}');
  });

  it(`replicates to the ${peer} bucket (both ways across the two deploys)`, () => {
    const [condition, rule] = p.ReplicationConfiguration['Fn::If'];
    expect(condition).toBe('ReplicateToPeer');
    expect(rule.Rules[0].Status).toBe('Enabled');
    expect(rule.Rules[0].DeleteMarkerReplication).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(rule.Rules[0].Destination.Bucket)).toContain(`photos-${peer}-`);
    expect(JSON.stringify(rule.Rules[0].Destination.Bucket)).not.toContain(region);
  });

  it('refuses plain HTTP', () => {
    const statements = ((template.Resources.PhotosBucketPolicy?.Properties ?? {}) as any).PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });
});
