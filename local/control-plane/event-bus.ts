// EventBridge, as far as the project's rules use it: pattern matching and target input shaping.

export class UnsupportedEventPattern extends Error {
  override readonly name = 'UnsupportedEventPattern';
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists', 'numeric', 'wildcard'];

/**
 * Whether an event matches an EventBridge event pattern: every field of the pattern must
 * match; a leaf is an array of alternatives (exact values, or one of `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but`, `exists`, `numeric`, `wildcard`); an array in the
 * event matches when any of its elements does.
 */
export function matchesEventPattern(pattern: Json, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    const present = key in fields;
    const actual = fields[key];
    if (Array.isArray(expected)) return expected.some((rule) => matchesRule(rule, actual, present));
    // An array of objects in the event matches when one of its elements does.
    if (isObject(expected))
      return Array.isArray(actual) ? actual.some((item) => matchesEventPattern(expected, item)) : matchesEventPattern(expected, actual);
    throw new UnsupportedEventPattern(`Event pattern field "${key}" must be an array or an object`);
  });
}

/** Throws UnsupportedEventPattern for anything the matcher does not understand, so a rule fails at load, not silently later. */
export function assertSupportedEventPattern(pattern: unknown, path = 'pattern'): void {
  if (!isObject(pattern)) throw new UnsupportedEventPattern(`${path} must be an object`);
  for (const [key, value] of Object.entries(pattern)) {
    if (isObject(value)) assertSupportedEventPattern(value, `${path}.${key}`);
    else if (!Array.isArray(value)) throw new UnsupportedEventPattern(`${path}.${key} must be an array or an object`);
    else
      for (const rule of value) {
        if (!isObject(rule)) continue;
        const [operator, ...others] = Object.keys(rule);
        if (!operator || others.length > 0 || !OPERATORS.includes(operator))
          throw new UnsupportedEventPattern(`${path}.${key}: unsupported matcher ${JSON.stringify(rule)}`);
      }
  }
}

function matchesRule(rule: unknown, actual: unknown, present: boolean): boolean {
  if (isObject(rule) && 'exists' in rule) return rule.exists === (present && !isObject(actual));
  if (!present) return false;
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((value) => matchesValue(rule, value));
}

function matchesValue(rule: unknown, value: unknown): boolean {
  if (!isObject(rule)) return rule === value;
  const [operator = '', operand] = Object.entries(rule)[0] ?? [];
  const text = typeof value === 'string' ? value : undefined;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (text === undefined) return false;
      const ignoreCase = isObject(operand) && typeof operand['equals-ignore-case'] === 'string';
      const affix = String(ignoreCase ? (operand as Json)['equals-ignore-case'] : operand);
      const subject = ignoreCase ? text.toLowerCase() : text;
      const wanted = ignoreCase ? affix.toLowerCase() : affix;
      return operator === 'prefix' ? subject.startsWith(wanted) : subject.endsWith(wanted);
    }
    case 'equals-ignore-case':
      return text !== undefined && typeof operand === 'string' && text.toLowerCase() === operand.toLowerCase();
    case 'anything-but':
      if (Array.isArray(operand)) return !operand.includes(value);
      if (isObject(operand)) return !matchesValue(operand, value);
      return value !== operand;
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && numericHolds(operand, value);
    case 'wildcard':
      return text !== undefined && typeof operand === 'string' && wildcardRegExp(operand).test(text);
    default:
      throw new UnsupportedEventPattern(`Unsupported event pattern matcher ${JSON.stringify(rule)}`);
  }
}

function numericHolds(conditions: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const [operator, bound] = [conditions[i], Number(conditions[i + 1])];
    const holds =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : false;
    if (!holds) return false;
  }
  return true;
}

function wildcardRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Reads a JSONPath of the simple form EventBridge targets use: `$`, `$.detail.alarmName`, `$.resources[0]`, `$['detail-type']`. */
export function valueAtPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new UnsupportedEventPattern(`JSONPath ${path} must start with $`);
  const step = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let current: unknown = document;
  let pos = 1;
  while (pos < path.length) {
    step.lastIndex = pos;
    const match = step.exec(path);
    if (!match) throw new UnsupportedEventPattern(`Unsupported JSONPath ${path}`);
    pos = step.lastIndex;
    const key = match[1] ?? match[3] ?? match[4];
    if (key !== undefined) current = isObject(current) ? current[key] : undefined;
    else current = Array.isArray(current) ? current[Number(match[2])] : undefined;
  }
  return current;
}

export interface RuleTarget {
  stateMachineArn: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

/** The input string EventBridge would hand the target: constant Input, InputPath, InputTransformer or the whole event. */
export function renderTargetInput(target: RuleTarget, event: Json, ruleName: string): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(valueAtPath(event, target.inputPath) ?? null);
  if (!target.inputTransformer) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-name': ruleName,
    'aws.events.event': event,
    'aws.events.event.json': event,
    'aws.events.event.ingestion-time': event.time,
  };
  for (const [name, path] of Object.entries(target.inputTransformer.InputPathsMap ?? {})) values[name] = valueAtPath(event, path);
  const template = target.inputTransformer.InputTemplate;
  return template.replace(/<([A-Za-z0-9_.-]+)>/g, (placeholder, name: string, offset: number) => {
    if (!(name in values)) return placeholder;
    const value = values[name];
    if (insideJsonString(template, offset)) {
      const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
      return JSON.stringify(text).slice(1, -1);
    }
    if (typeof value === 'string') return value;
    return JSON.stringify(value ?? null);
  });
}

function insideJsonString(template: string, offset: number): boolean {
  let inside = false;
  for (let i = 0; i < offset; i++) {
    if (template[i] === '\\') i++;
    else if (template[i] === '"') inside = !inside;
  }
  return inside;
}

export interface EventRule {
  region: string;
  name: string;
  eventPattern: Json;
  target: RuleTarget;
}

/** Delivers events to the rules of their region whose pattern matches, by starting each rule's target. */
export function createEventBus(deps: {
  rules: EventRule[];
  startTarget(rule: EventRule, input: string): Promise<void> | void;
  log(line: string): void;
}) {
  for (const rule of deps.rules) {
    try {
      assertSupportedEventPattern(rule.eventPattern);
      renderTargetInput(rule.target, {}, rule.name);
    } catch (error) {
      throw new UnsupportedEventPattern(`Rule ${rule.name} (${rule.region}): ${(error as Error).message}`);
    }
  }
  return {
    async publish(region: string, event: Json): Promise<void> {
      for (const rule of deps.rules) {
        if (rule.region !== region || !matchesEventPattern(rule.eventPattern, event)) continue;
        try {
          await deps.startTarget(rule, renderTargetInput(rule.target, event, rule.name));
        } catch (error) {
          deps.log(`control-plane: rule ${rule.name} could not start ${rule.target.stateMachineArn}: ${(error as Error).message}`);
        }
      }
    },
  };
}
