import { ValidationError } from '../errors.js';
import type { ReaderFinding } from './readers/reader-finding.js';

/**
 * A template refused before it was stored: `<template>, <sample>, line N: <reason>` (422
 * `template:invalid`). `rendered` names the template whose output failed when it is not the one saved
 * (a partial fails inside the scripts that include it).
 */
export class TemplateInvalidError extends ValidationError {
  constructor(template: string, sample: string, finding: ReaderFinding, rendered?: string) {
    const where = rendered && rendered !== template ? `${template} (in ${rendered})` : template;
    const line = finding.line !== null ? `, line ${finding.line}` : '';
    super(`${where}, ${sample}${line}: ${finding.reason}`, undefined, 'template:invalid');
  }
}
