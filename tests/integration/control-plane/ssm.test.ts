import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  paginateGetParametersByPath,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { ControlPlane } from '../../../local/control-plane';
import { clientConfig, startTestControlPlane } from './harness';

describe('control plane: SSM Parameter Store', () => {
  let plane: ControlPlane;
  let east: SSMClient;
  let west: SSMClient;

  beforeAll(async () => {
    plane = await startTestControlPlane({
      parameters: [{ region: 'us-east-1', name: '/switchyard/dev/seeded', value: 'from-options', type: 'String' }],
    });
    east = new SSMClient(clientConfig(plane, 'us-east-1'));
    west = new SSMClient(clientConfig(plane, 'us-west-2'));
  });
  afterAll(async () => {
    east.destroy();
    west.destroy();
    await plane.stop();
  });

  it('puts and gets a parameter, bumping Version on overwrite and refusing a silent overwrite', async () => {
    // Prepare
    await east.send(new PutParameterCommand({ Name: '/switchyard/dev/rt/mode', Value: 'active', Type: 'String' }));
    // Act
    const duplicate = await east
      .send(new PutParameterCommand({ Name: '/switchyard/dev/rt/mode', Value: 'fenced' }))
      .catch((e: unknown) => e);
    const overwritten = await east.send(new PutParameterCommand({ Name: '/switchyard/dev/rt/mode', Value: 'fenced', Overwrite: true }));
    const read = await east.send(new GetParameterCommand({ Name: '/switchyard/dev/rt/mode' }));
    // Assess
    expect(duplicate).toBeInstanceOf(ParameterAlreadyExists);
    expect(overwritten.Version).toBe(2);
    expect(read.Parameter).toMatchObject({ Name: '/switchyard/dev/rt/mode', Value: 'fenced', Type: 'String', Version: 2 });
    expect(read.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect(read.Parameter?.ARN).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/switchyard/dev/rt/mode');
  });

  it('keeps parameters per region and raises ParameterNotFound for a missing one', async () => {
    // Prepare
    await west.send(new PutParameterCommand({ Name: '/switchyard/dev/only-west', Value: 'w' }));
    // Act
    const fromEast = await east.send(new GetParameterCommand({ Name: '/switchyard/dev/only-west' })).catch((e: unknown) => e);
    const fromWest = await west.send(new GetParameterCommand({ Name: '/switchyard/dev/only-west' }));
    // Assess
    expect(fromEast).toBeInstanceOf(ParameterNotFound);
    expect(fromWest.Parameter?.Value).toBe('w');
  });

  it('serves seeded parameters, setParameter and GetParameters with InvalidParameters', async () => {
    // Prepare
    plane.setParameter('us-east-1', '/switchyard/dev/set-by-drill', 'x');
    // Act
    const read = await east.send(new GetParametersCommand({ Names: ['/switchyard/dev/seeded', '/switchyard/dev/set-by-drill', '/nope'] }));
    // Assess
    expect(read.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ['/switchyard/dev/seeded', 'from-options'],
      ['/switchyard/dev/set-by-drill', 'x'],
    ]);
    expect(read.InvalidParameters).toEqual(['/nope']);
  });

  it('lists by path, one level or recursively, across pages', async () => {
    // Prepare
    for (const name of ['/tree/a', '/tree/b', '/tree/sub/c', '/other/d'])
      await east.send(new PutParameterCommand({ Name: name, Value: name, Type: 'String' }));
    // Act
    const oneLevel = await east.send(new GetParametersByPathCommand({ Path: '/tree' }));
    const pages = paginateGetParametersByPath({ client: east, pageSize: 1 }, { Path: '/tree/', Recursive: true });
    const recursive: string[] = [];
    for await (const pageOf of pages) recursive.push(...(pageOf.Parameters ?? []).map((p) => p.Name ?? ''));
    // Assess
    expect(oneLevel.Parameters?.map((p) => p.Name)).toEqual(['/tree/a', '/tree/b']);
    expect(recursive).toEqual(['/tree/a', '/tree/b', '/tree/sub/c']);
  });

  it('works under Powertools Parameters reached through AWS_ENDPOINT_URL_SSM', async () => {
    // Prepare: the environment a Lambda sees locally.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SSM: plane.endpoint,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    plane.setParameter('us-west-2', '/switchyard/dev/pt/one', '1');
    plane.setParameter('us-west-2', '/switchyard/dev/pt/two', '2');
    try {
      const { getParameter, getParameters, setParameter } = await import('@aws-lambda-powertools/parameters/ssm');
      // Act
      const one = await getParameter('/switchyard/dev/pt/one', { forceFetch: true });
      const all = await getParameters('/switchyard/dev/pt', { forceFetch: true });
      await setParameter('/switchyard/dev/pt/one', { value: 'changed', overwrite: true });
      const changed = await getParameter('/switchyard/dev/pt/one', { forceFetch: true });
      // Assess
      expect(one).toBe('1');
      expect(all).toEqual({ one: '1', two: '2' });
      expect(changed).toBe('changed');
    } finally {
      process.env = saved;
    }
  });

  it('answers an operation it does not implement with UnknownOperationException naming it', async () => {
    // Prepare: DeleteParameter is not part of the local API. Act
    const attempt = east.send(new DeleteParameterCommand({ Name: '/switchyard/dev/seeded' }));
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('AmazonSSM.DeleteParameter'),
    });
  });
});
