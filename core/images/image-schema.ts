import { z } from 'zod';
import { normaliseDiskRule } from '../disks/disk-rule.js';

/**
 * An artifact location: an absolute http(s) URL, or a path under the boot server's /files/ (ARTIFACTS_DIR).
 * Restricted to characters that need no quoting in an iPXE script.
 */
export const artifactLocation = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (v) => /^[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$/.test(v),
    'must be a URL or path without spaces or control characters',
  )
  .refine((v) => !v.split('/').includes('..'), 'must not contain ".."')
  .refine(
    (v) => !/^[a-z][a-z0-9+.-]*:/i.test(v) || /^https?:\/\//i.test(v),
    'must be an http(s) URL or a relative path',
  );

const wimbootBoot = z
  .object({
    method: z.literal('wimboot'),
    wimboot: artifactLocation,
    bootWim: artifactLocation,
    bcd: artifactLocation,
    bootSdi: artifactLocation,
    installWim: artifactLocation,
    /** Extra files injected into WinPE next to startnet.cmd, e.g. curl.exe: `{name, url}`. */
    files: z
      .array(
        z.object({
          name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a plain file name'),
          url: artifactLocation,
        }),
      )
      .default([]),
    /** Boots under UEFI Secure Boot: only with ipxe.org's signed shim and iPXE in the TFTP root (docs/windows.md). */
    secureBoot: z.boolean().optional(),
  })
  .strict();

const linuxBoot = z
  .object({
    method: z.literal('linux'),
    kernel: artifactLocation,
    initrd: z.array(artifactLocation).default([]),
    /** Handlebars template; variables: callbackUrl, artifactUrl, bootUrl, filesUrl, deployment. */
    cmdline: z
      .string()
      .max(2048)
      .refine((v) => !/[\r\n]/.test(v), 'must be one line')
      .default(''),
    /** The kernel is signed for Secure Boot (Debian's and Ubuntu's stock kernels are): docs/linux.md. */
    secureBoot: z.boolean().optional(),
  })
  .strict();

export const imageBoot = z.discriminatedUnion('method', [wimbootBoot, linuxBoot]);
export type ImageBoot = z.infer<typeof imageBoot>;

export const imageEdition = z
  .object({
    /** Display name of the edition. */
    label: z.string().max(128).optional(),
    /** The WIM image *name* (indexes differ between media). */
    // startnet.cmd passes it to DISM /Name: — cmd cannot carry & | < > ^ % " safely.
    imageName: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9 ._()+-]+$/, 'may hold letters, digits, spaces and . _ ( ) + - only'),
    /** Default product key (the public KMS client setup key for Windows). */
    productKey: z
      .string()
      .regex(/^([A-Z0-9]{5}-){4}[A-Z0-9]{5}$/, 'must look like XXXXX-XXXXX-XXXXX-XXXXX-XXXXX')
      .optional(),
  })
  .strict();
export type ImageEdition = z.infer<typeof imageEdition>;

export const imageId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1–32 lower-case letters, digits and hyphens');

const editionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and hyphens');

// biome-ignore lint/suspicious/noControlCharactersInRegex: line breaks would split a script's echo line
const ONE_LINE = /^[^\u0000-\u001f\u007f]+$/;

/** A disk rule (`serial:…`, `size:100-200`, `smallest:32`, …) in canonical form, or null. */
export const diskRule = z
  .string()
  .max(96)
  .nullish()
  .transform((v, ctx) => {
    try {
      return normaliseDiskRule(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** An OS image as the catalog file and the admin API describe it. */
export const imageInput = z
  .object({
    id: imageId,
    name: z.string().min(1).max(128).regex(ONE_LINE, 'must be one line of text'),
    family: z.enum(['windows', 'linux']),
    boot: imageBoot,
    templates: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a folder name under templates/')
      .nullish()
      .transform((v) => v ?? null),
    editions: z
      .record(editionName, imageEdition)
      .nullish()
      .transform((v) => v ?? null),
    defaultEdition: editionName.nullish().transform((v) => v ?? null),
    /** Which disk the installer takes unless the deployment says otherwise (core/disks/disk-rule.ts). */
    disk: diskRule,
  })
  .strict()
  .superRefine((image, ctx) => {
    if (image.defaultEdition && !image.editions?.[image.defaultEdition]) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultEdition'],
        message: `"${image.defaultEdition}" is not one of its editions`,
      });
    }
    if (image.family === 'windows' && image.disk?.startsWith('wwn:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['disk'],
        message: "WinPE cannot read a disk's WWN; use serial:, model:, size: or smallest:",
      });
    }
    if (image.boot.method === 'wimboot' && !image.editions) {
      ctx.addIssue({
        code: 'custom',
        path: ['editions'],
        message: 'a wimboot image needs at least one edition',
      });
    }
  });
export type ImageInput = z.infer<typeof imageInput>;
