import { EntitySchema } from '@mikro-orm/core';
import type { ImageBoot, ImageEdition } from './image-schema.js';

/** An installable OS in the catalog (seeded from templates/catalog.yaml, then managed by the API). */
export class OsImage {
  id!: string;
  name!: string;
  family!: 'windows' | 'linux';
  boot!: ImageBoot;
  /** Folder under templates/ holding this image's per-deployment artifacts, if any. */
  templates!: string | null;
  editions!: Record<string, ImageEdition> | null;
  defaultEdition!: string | null;
  /** Disk rule of this image (core/disks/disk-rule.ts); null: the default rule. */
  disk!: string | null;
  /** `catalog` rows are refreshed from catalog.yaml at start; `api` rows belong to the operator. */
  source!: 'catalog' | 'api';
  createdAt!: Date;
  updatedAt!: Date;
}

export const OsImageSchema = new EntitySchema<OsImage>({
  class: OsImage,
  tableName: 'os_image',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    name: { type: 'string', length: 128 },
    family: { type: 'string', length: 16 },
    boot: { type: 'json' },
    templates: { type: 'string', length: 64, nullable: true },
    editions: { type: 'json', nullable: true },
    defaultEdition: { type: 'string', length: 64, nullable: true },
    disk: { type: 'string', length: 96, nullable: true },
    source: { type: 'string', length: 16, default: 'api' },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    updatedAt: {
      type: 'Date',
      columnType: 'timestamptz',
      onCreate: () => new Date(),
      onUpdate: () => new Date(),
    },
  },
});
