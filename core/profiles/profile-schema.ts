import { z } from 'zod';

// biome-ignore lint/suspicious/noControlCharactersInRegex: SMBIOS values are one line of printable text
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;
/** A kernel argument iPXE passes through unchanged (see boot-server/ipxe/linux-cmdline.ts). */
const KERNEL_ARG = /^[A-Za-z0-9._~:/?@!'()*+,=%[\]-]+$/;

const smbios = z.string().trim().min(1).max(64).regex(PRINTABLE, 'must be one line of printable text');

export const profileRule = z
  .object({
    manufacturer: smbios.optional(),
    product: smbios.optional(),
    pciVendor: z
      .string()
      .regex(/^(0x)?[0-9a-fA-F]{4}$/, 'must be a PCI vendor id of 4 hex digits, e.g. 1af4')
      .transform((v) => v.toLowerCase().replace(/^0x/, ''))
      .optional(),
  })
  .strict()
  .refine((rule) => Object.keys(rule).length > 0, 'a rule needs manufacturer, product or pciVendor');

export const profileName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1–32 lower-case letters, digits and hyphens')
  .refine((v) => v !== 'auto', '"auto" is not a profile: it picks one');

/** A profile as `PUT /api/v1/profiles/:name` takes it (read-only fields are checked by the route). */
export const profileInput = z
  .object({
    match: z.array(profileRule).max(32).default([]),
    priority: z.number().int().min(0).max(10_000).default(100),
    windowsDrivers: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a folder name: lower-case letters, digits, hyphens')
      .nullish()
      .transform((v) => v ?? null),
    kernelArgs: z
      .string()
      .max(512)
      .refine(
        (v) => v.split(/\s+/).every((arg) => arg === '' || (KERNEL_ARG.test(arg) && !arg.startsWith('#'))),
        'every argument must be a plain word (no $, quotes, # or control characters)',
      )
      .transform((v) => v.trim().split(/\s+/).filter(Boolean).join(' '))
      .default(''),
    serialConsole: z
      .string()
      .regex(
        /^tty[A-Za-z]{0,8}[0-9]{1,3}(,[0-9]{3,7}[noe]?[5-8]?)?$/,
        'must be a console device like ttyS1 or ttyS1,115200n8',
      )
      .nullish()
      .transform((v) => v ?? null),
  })
  .strict();
export type ProfileInput = z.infer<typeof profileInput>;
