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
