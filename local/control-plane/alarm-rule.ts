import type { AlarmState } from './alarm-evaluation';

/** A composite alarm's AlarmRule, parsed: ALARM("a") AND NOT (OK(b) OR TRUE) … */
export type AlarmRule =
  | { kind: 'state'; state: AlarmState; alarm: string }
  | { kind: 'constant'; value: boolean }
  | { kind: 'not'; operand: AlarmRule }
  | { kind: 'and' | 'or'; left: AlarmRule; right: AlarmRule };

export class AlarmRuleSyntaxError extends Error {
  override readonly name = 'AlarmRuleSyntaxError';
}

const STATES: AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

/** Parses an AlarmRule; NOT binds tighter than AND, AND tighter than OR, as in CloudWatch. */
export function parseAlarmRule(text: string): AlarmRule {
  let pos = 0;
  const fail = (what: string): never => {
    throw new AlarmRuleSyntaxError(`AlarmRule: ${what} at position ${pos} of ${JSON.stringify(text)}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text.charAt(pos))) pos++;
  };
  const peekWord = (): string => {
    skipSpace();
    return /^[A-Za-z_]+/.exec(text.slice(pos))?.[0] ?? '';
  };
  const expect = (char: string) => {
    skipSpace();
    if (text.charAt(pos) !== char) fail(`expected "${char}"`);
    pos++;
  };

  const alarmReference = (): string => {
    skipSpace();
    let name: string;
    if (text.charAt(pos) === '"') {
      const end = text.indexOf('"', pos + 1);
      if (end < 0) fail('unterminated alarm name');
      name = text.slice(pos + 1, end);
      pos = end + 1;
    } else {
      const end = text.indexOf(')', pos);
      if (end < 0) fail('expected ")"');
      name = text.slice(pos, end).trim();
      pos = end;
    }
    if (!name) fail('empty alarm name');
    // A rule may name an alarm by ARN; alarms are looked up by name.
    return name.includes(':alarm:') ? name.slice(name.indexOf(':alarm:') + ':alarm:'.length) : name;
  };

  const primary = (): AlarmRule => {
    skipSpace();
    if (text.charAt(pos) === '(') {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    const word = peekWord();
    if (word === 'TRUE' || word === 'FALSE') {
      pos += word.length;
      return { kind: 'constant', value: word === 'TRUE' };
    }
    if ((STATES as string[]).includes(word)) {
      pos += word.length;
      expect('(');
      const alarm = alarmReference();
      expect(')');
      return { kind: 'state', state: word as AlarmState, alarm };
    }
    return fail(word ? `unexpected "${word}"` : 'expected ALARM(…), OK(…), INSUFFICIENT_DATA(…), TRUE, FALSE, NOT or "("');
  };
  const not = (): AlarmRule => {
    if (peekWord() === 'NOT') {
      pos += 3;
      return { kind: 'not', operand: not() };
    }
    return primary();
  };
  const and = (): AlarmRule => {
    let left = not();
    while (peekWord() === 'AND') {
      pos += 3;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  };
  const or = (): AlarmRule => {
    let left = and();
    while (peekWord() === 'OR') {
      pos += 2;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  const rule = or();
  skipSpace();
  if (pos < text.length) fail(`unexpected "${text.slice(pos, pos + 20)}"`);
  return rule;
}

/** Whether the rule holds, given each referenced alarm's current state (unknown alarms match no state). */
export function evaluateAlarmRule(rule: AlarmRule, stateOf: (alarmName: string) => AlarmState | undefined): boolean {
  switch (rule.kind) {
    case 'state':
      return stateOf(rule.alarm) === rule.state;
    case 'constant':
      return rule.value;
    case 'not':
      return !evaluateAlarmRule(rule.operand, stateOf);
    case 'and':
      return evaluateAlarmRule(rule.left, stateOf) && evaluateAlarmRule(rule.right, stateOf);
    case 'or':
      return evaluateAlarmRule(rule.left, stateOf) || evaluateAlarmRule(rule.right, stateOf);
  }
}

export function alarmsReferencedBy(rule: AlarmRule): string[] {
  switch (rule.kind) {
    case 'state':
      return [rule.alarm];
    case 'constant':
      return [];
    case 'not':
      return alarmsReferencedBy(rule.operand);
    case 'and':
    case 'or':
      return [...new Set([...alarmsReferencedBy(rule.left), ...alarmsReferencedBy(rule.right)])];
  }
}
