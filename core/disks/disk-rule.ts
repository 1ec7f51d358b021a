import { ValidationError } from '../errors.js';
import { printable } from '../mac.js';

/**
 * Which disk an installer may erase, as one rule the WinPE, Debian and Ubuntu selectors all apply
 * (templates/partials/linux/disk-select.hbs, templates/windows/startnet.cmd.hbs):
 * - `serial:<text>`: the disk whose serial number is exactly <text> (case-insensitive);
 * - `wwn:<hex>`: the disk whose World Wide Name is <hex> (`0x` optional; Linux only);
 * - `model:<text>`: the disk whose model contains <text> (case-insensitive; `_` stands for a space);
 * - `size:<min>-<max>`: the disk of <min>–<max> GB (10^9 bytes; either bound may be left out);
 * - `smallest:<n>`: the smallest disk of at least <n> GB (the default, `smallest:20`).
 * `model`, `size` and `smallest` never consider removable or USB disks; `serial` and `wwn` name one disk
 * and are taken as given. A rule that matches no disk or several stops the installer, which reports
 * `failed` with the disks it saw: a selector never guesses.
 */
export type DiskRule =
  | { kind: 'serial' | 'wwn' | 'model'; value: string }
  | { kind: 'size'; minGb: number; maxGb: number | null }
  | { kind: 'smallest'; minGb: number };

/** The rule when neither the deployment nor its image names one. */
export const DEFAULT_DISK_RULE = 'smallest:20';

/** Characters a rule value may hold: safe unquoted in iPXE, cmd, sh, YAML and XML, and in a chat option. */
const VALUE = /^[A-Za-z0-9._-]{1,64}$/;
const GB = /^\d{1,6}$/;

/** What each rule looks like, for error messages and help. */
export const DISK_RULE_HELP =
  'serial:<serial>, wwn:<hex>, model:<text> (_ for a space), size:<min>-<max> (GB), or smallest:<GB>';

/**
 * Parses and normalises a disk rule (`serial:ABC`, `size:100-200`, `smallest:32`, …).
 * @throws ValidationError (`deploy:bad-disk-rule`) naming the accepted forms.
 */
export function parseDiskRule(text: string): DiskRule {
  const bad = (why: string) =>
    new ValidationError(
      `disk "${printable(text).slice(0, 80)}" ${why}; write ${DISK_RULE_HELP}`,
      undefined,
      'deploy:bad-disk-rule',
    );
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kind = (colon < 0 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const value = colon < 0 ? '' : trimmed.slice(colon + 1);
  switch (kind) {
    case 'serial':
    case 'model':
      if (!VALUE.test(value)) throw bad('needs a value of letters, digits, . _ - (1–64)');
      return { kind, value };
    case 'wwn': {
      const hex = value.toLowerCase().replace(/^0x/, '');
      if (!/^[0-9a-f]{8,32}$/.test(hex)) throw bad('needs 8–32 hex digits');
      return { kind, value: hex };
    }
    case 'size': {
      const m = /^(\d{0,6})-(\d{0,6})$/.exec(value);
      if (!m || (!m[1] && !m[2])) throw bad('needs a range of GB such as 100-200, 100- or -500');
      const minGb = m[1] ? Number(m[1]) : 0;
      const maxGb = m[2] ? Number(m[2]) : null;
      if (maxGb !== null && maxGb < minGb) throw bad('has its maximum below its minimum');
      return { kind, minGb, maxGb };
    }
    case 'smallest':
      if (value !== '' && !GB.test(value)) throw bad('needs a size in GB such as smallest:32');
      return { kind, minGb: value === '' ? 0 : Number(value) };
    default:
      throw bad('is not a disk rule');
  }
}

/** The canonical text of a rule, as stored and shown. */
export function formatDiskRule(rule: DiskRule): string {
  switch (rule.kind) {
    case 'size':
      return `size:${rule.minGb || ''}-${rule.maxGb ?? ''}`;
    case 'smallest':
      return `smallest:${rule.minGb}`;
    default:
      return `${rule.kind}:${rule.value}`;
  }
}

/** Validates a rule given as text and returns its canonical form; empty or missing means "no rule". */
export function normaliseDiskRule(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  return formatDiskRule(parseDiskRule(text));
}

/**
 * A rule as the templates use it: every field present (strict Handlebars), numbers as plain integers.
 * `model` has `_` turned back into spaces.
 */
export interface DiskRuleContext {
  /** Canonical text, e.g. `smallest:20`. */
  rule: string;
  kind: DiskRule['kind'];
  /** serial/wwn/model: the value to match; empty otherwise. */
  value: string;
  /** size/smallest: the lower bound in GB (0 when none). */
  minGb: number;
  /** size: the upper bound in GB; 0 when none. */
  maxGb: number;
}

/** The deployment's rule, else the image's, else {@link DEFAULT_DISK_RULE}, for templates. */
export function diskRuleContext(...candidates: (string | null | undefined)[]): DiskRuleContext {
  const text = candidates.find((c) => c && c.trim() !== '') ?? DEFAULT_DISK_RULE;
  const rule = parseDiskRule(text);
  return {
    rule: formatDiskRule(rule),
    kind: rule.kind,
    value: 'value' in rule ? (rule.kind === 'model' ? rule.value.replaceAll('_', ' ') : rule.value) : '',
    minGb: 'minGb' in rule ? rule.minGb : 0,
    maxGb: rule.kind === 'size' ? (rule.maxGb ?? 0) : 0,
  };
}
