import { EntitySchema } from '@mikro-orm/core';

/** Installation-wide values the system generates itself (e.g. the secret key when none is configured). */
export class Setting {
  key!: string;
  value!: string;
}

export const SettingSchema = new EntitySchema<Setting>({
  class: Setting,
  tableName: 'setting',
  properties: {
    key: { type: 'string', length: 64, primary: true },
    value: { type: 'text' },
  },
});
