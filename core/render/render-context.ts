import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Deployment } from '../deployments/deployment.entity.js';
import type { DeploymentSecrets } from '../deployments/deployment-service.js';
import { type DiskRuleContext, diskRuleContext } from '../disks/disk-rule.js';
import { driverPackageFiles } from '../images/driver-files.js';
import type { OsImage } from '../images/os-image.entity.js';
import { BUILTIN_PROFILES, type ProfileData } from '../profiles/builtin-profiles.js';
import { chooseProfile } from '../profiles/profile-rules.js';

/** URLs a rendered file may point a machine at; all built on PUBLIC_BOOT_URL. */
export interface RenderUrls {
  bootUrl: string;
  /** ARTIFACTS_DIR as served by the boot server. */
  filesUrl: string;
  /** Base of this deployment's rendered artifacts: `${bootUrl}/d/<token>`. */
  artifactUrl: string;
  /** Where installers report: `${bootUrl}/cb/<token>`. */
  callbackUrl: string;
}

/**
 * Everything a template may use. The same object feeds iPXE scripts, Windows and Linux artifacts and
 * catalog command lines, so a reviewer of templates/ knows what every variable is.
 */
export interface RenderContext extends RenderUrls {
  deployment: {
    id: number;
    mac: string;
    /** MAC with hyphens, as Windows shows it. */
    macHyphen: string;
    /** The PXELINUX-style `BOOTIF` value (`01-52-54-00-…`) that pins Linux installers to this NIC. */
    bootif: string;
    hostname: string;
    os: string;
    edition: string | null;
    /** The resolved hardware profile (never `auto`). */
    profile: string;
    /** `efi` or `pcbios`, as iPXE reported; `efi` when unknown. */
    platform: string;
    arch: string;
    requestedBy: string;
  };
  image: {
    id: string;
    name: string;
    family: 'windows' | 'linux';
    /** The selected edition's WIM image name and product key (Windows). */
    imageName: string | null;
    productKey: string | null;
    /** Resolved absolute URLs of the image's boot files. */
    boot: Record<string, string | string[] | { name: string; url: string }[]>;
  };
  settings: {
    windows: {
      timezone: string;
      locale: string;
      uiLanguage: string | null;
      domain: string | null;
      domainOu: string | null;
      joinUser: string | null;
      agentUrl: string | null;
      /** WINDOWS_AGENT_ARGS: the .exe agent's silent switch; empty when unset. */
      agentArgs: string;
      /** How SetupComplete.cmd runs the agent, from its URL's extension: `.msi`, `.ps1`, anything else `exe`. */
      agentKind: 'msi' | 'ps1' | 'exe' | null;
      /**
       * The join account as UnattendedJoin wants it: `CORP\joiner` → `{domain: 'CORP', username: 'joiner'}`;
       * a bare name keeps the join domain; a UPN (`joiner@corp.example`) has no domain, since UnattendedJoin
       * must then leave `<Domain>` out. Null without a domain.
       */
      joinAccount: { domain: string | null; username: string } | null;
    };
    linux: {
      username: string;
      sshAuthorizedKeys: string[];
      locale: string;
      keyboard: string;
      timezone: string;
      storageLayout: 'lvm' | 'direct';
      /** LINUX_SERIAL_CONSOLE, e.g. `ttyS1,115200n8`. */
      serialConsole: string;
    };
  };
  /** The resolved hardware profile's data (GET /api/v1/profiles/:name). */
  profile: Pick<ProfileData, 'name' | 'windowsDrivers' | 'kernelArgs' | 'serialConsole'>;
  /** The disk rule in force: the deployment's, else the image's, else `smallest:20`. */
  disk: DiskRuleContext;
  /**
   * Windows drivers for the resolved profile (docs/windows.md "Drivers"), all under
   * `${filesUrl}/windows/<image id>/drivers/`. Empty for Linux and for hyperv-gen2 (inbox drivers).
   */
  drivers: {
    /**
     * kvm: the VirtIO storage and network driver files wimboot injects into WinPE's System32: each INF
     * and every file it names (core/images/inf-files.ts).
     */
    winpeFiles: { name: string; url: string }[];
    /** The `.inf` names among `winpeFiles`: drvload'ed in WinPE, added to the installed image with DISM. */
    infs: string[];
    /** Any other driver folder (`baremetal`): the SMBIOS product iPXE reported, reduced to `[a-z0-9-]`; null when unknown. */
    model: string | null;
    /** The optional per-model driver pack (a WIM) `<folder>/<model>.wim`; null when the model is unknown. */
    packUrl: string | null;
  };
  /** Present only when rendering artifacts fetched with the deployment's token. Never logged. */
  secrets?: DeploymentSecrets & { joinPassword: string | null };
}

/** VirtIO drivers WinPE needs to see a virtio-blk/virtio-scsi disk and a virtio-net NIC. */
const VIRTIO_DRIVERS = ['viostor', 'vioscsi', 'netkvm'] as const;

/** Resolves a catalog location: absolute URLs stay, relative paths live under /files/. */
export function resolveLocation(location: string, filesUrl: string): string {
  return /^https?:\/\//i.test(location) ? location : `${filesUrl}/${location.replace(/^\/+/, '')}`;
}

export function buildRenderContext(args: {
  config: Config;
  deployment: Deployment;
  image: OsImage;
  token: string;
  secrets?: DeploymentSecrets;
  /** The resolved profile's data. @defaultValue the built-in profile of that name */
  profile?: ProfileData;
}): RenderContext {
  const { config, deployment: d, image, token } = args;
  const bootUrl = config.publicBootUrl;
  const filesUrl = `${bootUrl}/files`;
  const edition = d.edition && image.editions ? (image.editions[d.edition] ?? null) : null;
  const boot: RenderContext['image']['boot'] = {};
  for (const [key, value] of Object.entries(image.boot)) {
    if (key === 'method' || key === 'cmdline') continue;
    if (typeof value === 'string') boot[key] = resolveLocation(value, filesUrl);
    else if (Array.isArray(value)) {
      boot[key] = value.map((v) =>
        typeof v === 'string'
          ? resolveLocation(v, filesUrl)
          : { name: v.name, url: resolveLocation(v.url, filesUrl) },
      ) as string[] | { name: string; url: string }[];
    }
  }
  const profileData =
    args.profile ??
    (d.resolvedProfile
      ? (BUILTIN_PROFILES.find((p) => p.name === d.resolvedProfile) ?? {
          name: d.resolvedProfile,
          priority: 100,
          match: [],
          windowsDrivers: null,
          kernelArgs: '',
          serialConsole: null,
        })
      : chooseProfile(d.profile, BUILTIN_PROFILES, d.boot).profile);
  const profile = profileData.name;
  const driverFolder = profileData.windowsDrivers;
  const driverBase = `${filesUrl}/windows/${image.id}/drivers`;
  const windows = image.family === 'windows';
  const virtio = windows && driverFolder === 'kvm' ? VIRTIO_DRIVERS : [];
  const model =
    (d.boot?.product ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/, '') || null;
  const packModel = windows && driverFolder && driverFolder !== 'kvm' ? model : null;
  const agentUrl = config.WINDOWS_AGENT_URL ?? null;
  const agentPath = agentUrl ? new URL(agentUrl).pathname.toLowerCase() : '';
  const joinUser = config.WINDOWS_JOIN_USER ?? null;
  const domain = config.WINDOWS_DOMAIN ?? null;
  const slash = joinUser?.indexOf('\\') ?? -1;
  return {
    bootUrl,
    filesUrl,
    artifactUrl: `${bootUrl}/d/${token}`,
    callbackUrl: `${bootUrl}/cb/${token}`,
    deployment: {
      id: d.id,
      mac: d.mac,
      macHyphen: d.mac.replace(/:/g, '-'),
      bootif: `01-${d.mac.replace(/:/g, '-')}`,
      hostname: d.hostname,
      os: d.os,
      edition: d.edition,
      profile,
      platform: d.boot?.platform ?? 'efi',
      arch: d.boot?.arch ?? 'x86_64',
      requestedBy: d.requestedBy.name,
    },
    image: {
      id: image.id,
      name: image.name,
      family: image.family,
      imageName: edition?.imageName ?? null,
      productKey: edition?.productKey ?? null,
      boot,
    },
    settings: {
      windows: {
        timezone: config.WINDOWS_TIMEZONE,
        locale: config.WINDOWS_LOCALE,
        uiLanguage: config.WINDOWS_UI_LANGUAGE ?? null,
        domain,
        domainOu: config.WINDOWS_DOMAIN_OU ?? null,
        joinUser,
        agentUrl,
        agentArgs: config.WINDOWS_AGENT_ARGS ?? '',
        agentKind: !agentUrl
          ? null
          : agentPath.endsWith('.msi')
            ? 'msi'
            : agentPath.endsWith('.ps1')
              ? 'ps1'
              : 'exe',
        joinAccount:
          !domain || !joinUser
            ? null
            : slash > 0
              ? { domain: joinUser.slice(0, slash), username: joinUser.slice(slash + 1) }
              : joinUser.includes('@')
                ? { domain: null, username: joinUser }
                : { domain, username: joinUser },
      },
      linux: {
        username: config.LINUX_USERNAME,
        sshAuthorizedKeys: config.LINUX_SSH_AUTHORIZED_KEYS.split('\n')
          .map((k) => k.trim())
          .filter(Boolean),
        locale: config.LINUX_LOCALE,
        keyboard: config.LINUX_KEYBOARD,
        timezone: config.LINUX_TIMEZONE,
        storageLayout: config.LINUX_STORAGE_LAYOUT,
        serialConsole: config.LINUX_SERIAL_CONSOLE,
      },
    },
    disk: diskRuleContext(d.disk, image.disk),
    drivers: {
      // Every file each INF names (netkvm.inf also copies netkvmp.exe): drvload fails on a missing one.
      winpeFiles: virtio.flatMap((driver) =>
        driverPackageFiles(join(config.ARTIFACTS_DIR, 'windows', image.id, 'drivers', 'kvm'), driver).map(
          (name) => ({ name, url: `${driverBase}/kvm/${name}` }),
        ),
      ),
      infs: virtio.map((driver) => `${driver}.inf`),
      model: packModel,
      packUrl: packModel ? `${driverBase}/${driverFolder}/${packModel}.wim` : null,
    },
    profile: {
      name: profileData.name,
      windowsDrivers: profileData.windowsDrivers,
      kernelArgs: profileData.kernelArgs,
      serialConsole: profileData.serialConsole,
    },
    ...(args.secrets
      ? { secrets: { ...args.secrets, joinPassword: config.WINDOWS_JOIN_PASSWORD ?? null } }
      : {}),
  };
}
