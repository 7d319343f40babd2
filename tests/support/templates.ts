import fs from 'node:fs';
import path from 'node:path';
import { loadStageConfig } from '../../infra/stage-config.cjs';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string; DependsOn?: unknown }>;
  Outputs?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
}

export const stage = loadStageConfig('dev');

/** The CloudFormation template `npm run package:all` wrote for one region of the dev stage. */
export function packagedTemplate(region: string): CfnTemplate {
  const file = path.resolve(__dirname, '..', '..', `.serverless-${region}`, 'cloudformation-template-update-stack.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run package:all\` first (npm test does)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CfnTemplate;
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnTemplate['Resources'][string]]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** A template condition whose operands packaging already resolved to literals (Fn::Equals, Fn::Not, Fn::And, Fn::Or). */
export function conditionHolds(template: CfnTemplate, name: string): boolean {
  const evaluate = (expr: unknown): boolean => {
    const [fn, args] = Object.entries(expr as Record<string, unknown[]>)[0] ?? [];
    if (fn === 'Fn::Equals') return JSON.stringify(args?.[0]) === JSON.stringify(args?.[1]);
    if (fn === 'Fn::Not') return !evaluate(args?.[0]);
    if (fn === 'Fn::And') return (args ?? []).every(evaluate);
    if (fn === 'Fn::Or') return (args ?? []).some(evaluate);
    if (fn === 'Condition') return conditionHolds(template, String(args));
    throw new Error(`condition ${name}: cannot evaluate ${JSON.stringify(expr)}`);
  };
  const expr = template.Conditions?.[name];
  if (!expr) throw new Error(`condition ${name} is not in the template`);
  return evaluate(expr);
}

/** A property value with its Fn::If resolved against the template's conditions (undefined for AWS::NoValue). */
export function resolvedValue(template: CfnTemplate, value: unknown): unknown {
  const branches = (value as { 'Fn::If'?: [string, unknown, unknown] } | undefined)?.['Fn::If'];
  if (!branches) return value;
  const chosen = conditionHolds(template, branches[0]) ? branches[1] : branches[2];
  if ((chosen as { Ref?: string } | undefined)?.Ref === 'AWS::NoValue') return undefined;
  return resolvedValue(template, chosen);
}

/** The properties of a resource that must exist. */
export function propertiesOf(template: CfnTemplate, id: string): Record<string, any> {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`${id} is not in the template`);
  return (resource.Properties ?? {}) as Record<string, any>;
}

/** Both regions' packaged templates, for describe.each. */
export const bothRegions = (): Array<[string, string, string]> => [
  ['primary', stage.primaryRegion, stage.secondaryRegion],
  ['secondary', stage.secondaryRegion, stage.primaryRegion],
];
