import { describe, expect, it } from 'vitest';
import { diskRuleContext, normaliseDiskRule, parseDiskRule } from '../../../core/disks/disk-rule.js';

describe('disk rules', () => {
  it.each([
    ['serial:S3Z9NB0K123456', 'serial:S3Z9NB0K123456'],
    ['SERIAL:abc', 'serial:abc'],
    ['wwn:0x5000C500A1B2C3D4', 'wwn:5000c500a1b2c3d4'],
    ['model:PERC_H730', 'model:PERC_H730'],
    ['size:100-200', 'size:100-200'],
    ['size:400-', 'size:400-'],
    ['size:-1000', 'size:-1000'],
    ['smallest:32', 'smallest:32'],
    ['smallest', 'smallest:0'],
  ])('%s is read as %s', (input, canonical) => {
    expect(normaliseDiskRule(input)).toBe(canonical);
  });

  it.each([
    ['disk0', 'is not a disk rule'],
    ['serial:', 'needs a value'],
    ["serial:a'b", 'needs a value'],
    ['model:PERC H730', 'needs a value'],
    ['wwn:xyz', 'needs 8–32 hex digits'],
    ['size:200-100', 'maximum below its minimum'],
    ['size:-', 'needs a range'],
    ['smallest:lots', 'needs a size in GB'],
  ])('%s is refused: %s', (input, why) => {
    expect(() => parseDiskRule(input)).toThrow(why);
    try {
      parseDiskRule(input);
    } catch (error) {
      expect((error as { code: string }).code).toBe('deploy:bad-disk-rule');
    }
  });

  it('takes the deployment rule, else the image rule, else smallest:20; models get their spaces back', () => {
    expect(diskRuleContext(null, null)).toEqual({
      rule: 'smallest:20',
      kind: 'smallest',
      value: '',
      minGb: 20,
      maxGb: 0,
    });
    expect(diskRuleContext(null, 'size:100-')).toMatchObject({ rule: 'size:100-', minGb: 100, maxGb: 0 });
    expect(diskRuleContext('model:PERC_H730', 'size:100-')).toMatchObject({
      kind: 'model',
      value: 'PERC H730',
    });
    expect(normaliseDiskRule('  ')).toBeNull();
  });
});
