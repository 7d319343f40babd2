import { AwsServiceError } from './errors';
import type { ServiceApi } from './http-server';
import { getOrCreate, optionalStringList, page, requiredString } from './request-fields';

type ParameterType = 'String' | 'SecureString' | 'StringList';

interface StoredParameter {
  Name: string;
  Type: ParameterType;
  Value: string;
  Version: number;
  LastModifiedDate: Date;
}

const invalid = (message: string) => new AwsServiceError('ValidationException', message);
const TYPES: ParameterType[] = ['String', 'SecureString', 'StringList'];

/** SSM Parameter Store, one namespace per region, for GetParameter(s), GetParametersByPath and PutParameter. */
export function createParameterStore(accountId: string) {
  const regions = new Map<string, Map<string, StoredParameter>>();
  const regionOf = (region: string) => getOrCreate(regions, region, () => new Map<string, StoredParameter>());

  const put = (region: string, name: string, value: string, type: ParameterType | undefined, overwrite: boolean): number => {
    if (!name.startsWith('/') && name.includes('/'))
      throw invalid(`Parameter name ${name} must be fully qualified (start with /) when it has a hierarchy`);
    const parameters = regionOf(region);
    const existing = parameters.get(name);
    if (existing && !overwrite) throw new AwsServiceError('ParameterAlreadyExists', `The parameter ${name} already exists`);
    const version = (existing?.Version ?? 0) + 1;
    parameters.set(name, {
      Name: name,
      Type: type ?? existing?.Type ?? 'String',
      Value: value,
      Version: version,
      LastModifiedDate: new Date(),
    });
    return version;
  };

  const view = (region: string, p: StoredParameter) => ({
    Name: p.Name,
    Type: p.Type,
    Value: p.Value,
    Version: p.Version,
    LastModifiedDate: p.LastModifiedDate.getTime() / 1000,
    ARN: `arn:aws:ssm:${region}:${accountId}:parameter/${p.Name.replace(/^\//, '')}`,
    DataType: 'text',
  });

  const find = (region: string, nameOrArn: string) => {
    const parameters = regionOf(region);
    return namesFor(nameOrArn)
      .map((n) => parameters.get(n))
      .find((p) => p !== undefined);
  };

  const api: ServiceApi = {
    address: 'AmazonSSM',
    protocol: 'json-1.1',
    operations: {
      GetParameter(region, input) {
        const name = requiredString(input, 'Name', invalid);
        const parameter = find(region, name);
        if (!parameter) throw new AwsServiceError('ParameterNotFound', `Parameter ${name} not found in ${region}`);
        return { Parameter: view(region, parameter) };
      },
      GetParameters(region, input) {
        const names = optionalStringList(input, 'Names', invalid) ?? [];
        if (names.length === 0 || names.length > 10) throw invalid('Names must hold 1 to 10 names');
        const found = names.map((n) => find(region, n)).filter((p): p is StoredParameter => p !== undefined);
        return { Parameters: found.map((p) => view(region, p)), InvalidParameters: names.filter((n) => !find(region, n)) };
      },
      GetParametersByPath(region, input) {
        const path = requiredString(input, 'Path', invalid);
        if (!path.startsWith('/')) throw invalid('Path must start with /');
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const matching = [...regionOf(region).values()]
          .filter((p) => p.Name.startsWith(prefix) && (input.Recursive === true || !p.Name.slice(prefix.length).includes('/')))
          .sort((a, b) => a.Name.localeCompare(b.Name));
        const { items, nextToken } = page(matching, input.MaxResults, input.NextToken, 10);
        return { Parameters: items.map((p) => view(region, p)), NextToken: nextToken };
      },
      PutParameter(region, input) {
        const name = requiredString(input, 'Name', invalid);
        const value = requiredString(input, 'Value', invalid);
        const type = input.Type as ParameterType | undefined;
        if (type !== undefined && !TYPES.includes(type)) throw invalid(`Type must be one of ${TYPES.join(', ')}`);
        return { Version: put(region, name, value, type, input.Overwrite === true), Tier: 'Standard' };
      },
    },
  };

  return {
    api,
    /** Sets a parameter the way an operator would (always overwrites). */
    set(region: string, name: string, value: string, type?: ParameterType): void {
      put(region, name, value, type, true);
    },
  };
}

/** The names a GetParameter `Name` can mean: itself, or for an ARN the name with and without its leading slash (the ARN drops it). */
function namesFor(nameOrArn: string): string[] {
  const match = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter\/(.+)$/.exec(nameOrArn);
  return match?.[1] ? [`/${match[1]}`, match[1]] : [nameOrArn];
}
