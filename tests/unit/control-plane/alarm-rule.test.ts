import type { AlarmState } from '../../../local/control-plane/alarm-evaluation';
import { AlarmRuleSyntaxError, alarmsReferencedBy, evaluateAlarmRule, parseAlarmRule } from '../../../local/control-plane/alarm-rule';

const states = (map: Record<string, AlarmState>) => (name: string) => map[name];

describe('composite alarm rules', () => {
  it.each([
    ['ALARM("a") AND NOT ALARM("b")', { a: 'ALARM', b: 'OK' }, true],
    ['ALARM("a") AND NOT ALARM("b")', { a: 'ALARM', b: 'ALARM' }, false],
    ['ALARM("a") AND NOT ALARM("b")', { a: 'INSUFFICIENT_DATA', b: 'OK' }, false],
    ['ALARM(a) OR OK(b)', { a: 'OK', b: 'OK' }, true],
    ['INSUFFICIENT_DATA("a")', { a: 'INSUFFICIENT_DATA' }, true],
    ['ALARM("a") OR ALARM("b") AND ALARM("c")', { a: 'ALARM', b: 'OK', c: 'OK' }, true],
    ['(ALARM("a") OR ALARM("b")) AND ALARM("c")', { a: 'ALARM', b: 'OK', c: 'OK' }, false],
    ['NOT NOT TRUE AND NOT FALSE', {}, true],
    ['ALARM("arn:aws:cloudwatch:us-east-1:000000000000:alarm:a")', { a: 'ALARM' }, true],
    ['ALARM("missing")', {}, false],
  ])('%s with %j is %s', (rule, map, expected) => {
    // Prepare
    const parsed = parseAlarmRule(rule);
    // Act
    const holds = evaluateAlarmRule(parsed, states(map as Record<string, AlarmState>));
    // Assess
    expect(holds).toBe(expected);
  });

  it('lists the alarms a rule refers to', () => {
    // Prepare
    const parsed = parseAlarmRule('ALARM("a") AND (OK("b") OR NOT ALARM("a"))');
    // Act
    const names = alarmsReferencedBy(parsed);
    // Assess
    expect(names.sort()).toEqual(['a', 'b']);
  });

  it.each(['ALARM("a") AND', 'ALARM("a"', 'ALARM()', 'BROKEN("a")', 'ALARM("a") ALARM("b")', '(TRUE', 'alarm("a")'])(
    'rejects %s with the position of the problem',
    (rule) => {
      // Prepare: the malformed rule. Act
      const parse = () => parseAlarmRule(rule);
      // Assess
      expect(parse).toThrow(AlarmRuleSyntaxError);
      expect(parse).toThrow(/position \d+/);
    },
  );
});
