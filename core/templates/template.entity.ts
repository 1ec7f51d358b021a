import { EntitySchema } from '@mikro-orm/core';

/**
 * A template an operator changed: which of its stored versions is in use. A template without a row, or
 * with `activeVersion` null, renders its built-in file.
 */
export class TemplateHead {
  name!: string;
  activeVersion!: number | null;
  updatedAt!: Date;
}

/** One saved text of a template. Versions count from 1 per name and are never changed or deleted. */
export class TemplateVersion {
  id!: number;
  name!: string;
  version!: number;
  content!: string;
  /** Who saved it (`api`, a chat user). */
  createdBy!: string;
  /** Set when this version was made by restoring an older one. */
  restoredFrom!: number | null;
  createdAt!: Date;
}

export const TemplateHeadSchema = new EntitySchema<TemplateHead>({
  class: TemplateHead,
  tableName: 'template',
  properties: {
    name: { type: 'string', length: 200, primary: true },
    activeVersion: { type: 'number', nullable: true },
    updatedAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

export const TemplateVersionSchema = new EntitySchema<TemplateVersion>({
  class: TemplateVersion,
  tableName: 'template_version',
  uniques: [{ name: 'template_version_name_version_unique', properties: ['name', 'version'] }],
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string', length: 200 },
    version: { type: 'number' },
    content: { type: 'text' },
    createdBy: { type: 'string', length: 128 },
    restoredFrom: { type: 'number', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});
