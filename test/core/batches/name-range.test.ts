import { describe, expect, it } from 'vitest';
import { expandNameRange } from '../../../core/batches/name-range.js';

describe('expandNameRange', () => {
  it.each([
    ['web01', ['web01']],
    ['web[01-03]', ['web01', 'web02', 'web03']],
    ['web[8-11]', ['web8', 'web9', 'web10', 'web11']],
    ['web[08-11]', ['web08', 'web09', 'web10', 'web11']],
    ['n[098-101].lab', ['n098.lab', 'n099.lab', 'n100.lab', 'n101.lab']],
    ['web[01-02,07]', ['web01', 'web02', 'web07']],
    ['r[1-2]n[8-9]', ['r1n8', 'r1n9', 'r2n8', 'r2n9']],
  ])('%s', (pattern, names) => {
    expect(expandNameRange(pattern)).toEqual(names);
  });

  it.each([
    ['web[03-01]', 'runs backwards'],
    ['web[01-20', 'has a [ without ]'],
    ['web]', 'has a ] without ['],
    ['web[a-c]', 'is not a range'],
    ['web[1-501]', 'more than 500 machines'],
    ['r[1-30]n[1-30]', 'names 900 machines; at most 500'],
    ['', 'an empty name'],
  ])('refuses %s', (pattern, message) => {
    expect(() => expandNameRange(pattern)).toThrow(message);
  });
});
