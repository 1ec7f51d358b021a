import type { Config } from '../../core/config/index.js';
import type { Deployment } from '../../core/deployments/deployment.entity.js';
import type { DeploymentSecrets } from '../../core/deployments/deployment-service.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import type { ProfileData } from '../../core/profiles/builtin-profiles.js';
import { sha512Crypt } from '../../core/render/sha512crypt.js';

/**
 * Secrets the samples render with. Each holds `:`, `@` and `/`, which every language's helper lets
 * through but percent-encoding changes, so a secret printed raw into a URL is found (secret-in-url.ts).
 */
export const SAMPLE_SECRETS = { password: 'Sample:Pw@42/x', joinPassword: 'Join:Pw@42/y' } as const;
const SAMPLE_HASH = sha512Crypt(SAMPLE_SECRETS.password);

/** One machine a template is tried on before it is accepted. */
export interface Sample {
  /** `ws2025/standard efi kvm domain-join`, as the refusal names it. */
  label: string;
  config: Config;
  deployment: Deployment;
  profile: ProfileData;
  secrets: DeploymentSecrets;
}

const FIRMWARE = ['efi', 'pcbios'] as const;

/**
 * The samples of an image: each firmware × each profile, and Windows images with and without a domain
 * join. The SMBIOS strings come from the profile's first rule (Dell PowerEdge when it has none).
 */
export function imageSamples(image: OsImage, profiles: readonly ProfileData[], config: Config): Sample[] {
  const joins = image.family === 'windows' ? [false, true] : [false];
  const edition = image.defaultEdition ?? (image.editions ? Object.keys(image.editions)[0]! : null);
  const samples: Sample[] = [];
  for (const platform of FIRMWARE) {
    for (const profile of profiles) {
      for (const join of joins) {
        samples.push({
          label: `${image.id}${edition ? `/${edition}` : ''} ${platform} ${profile.name}${join ? ' domain-join' : ''}`,
          config: join ? joinedConfig(config) : unjoinedConfig(config),
          deployment: sampleDeployment(image, edition, platform, profile),
          profile,
          secrets: { password: SAMPLE_SECRETS.password, passwordHash: SAMPLE_HASH },
        });
      }
    }
  }
  return samples;
}

function joinedConfig(config: Config): Config {
  return {
    ...config,
    WINDOWS_DOMAIN: 'corp.example.com',
    WINDOWS_DOMAIN_OU: 'OU=Servers,DC=corp,DC=example,DC=com',
    WINDOWS_JOIN_USER: 'CORP\\svc-join',
    WINDOWS_JOIN_PASSWORD: SAMPLE_SECRETS.joinPassword,
  };
}

function unjoinedConfig(config: Config): Config {
  return {
    ...config,
    WINDOWS_DOMAIN: undefined,
    WINDOWS_DOMAIN_OU: undefined,
    WINDOWS_JOIN_USER: undefined,
    WINDOWS_JOIN_PASSWORD: undefined,
  };
}

/** A deployment in `booting`, as the boot server sees it when it renders. */
export function sampleDeployment(
  image: Pick<OsImage, 'id' | 'family'>,
  edition: string | null,
  platform: 'efi' | 'pcbios',
  profile: ProfileData,
  overrides: Partial<Deployment> = {},
): Deployment {
  const at = new Date('2026-01-01T00:00:00Z');
  const rule = profile.match.find((r) => r.manufacturer || r.product);
  return {
    id: 42,
    mac: '52:54:00:12:34:56',
    os: image.id,
    edition,
    hostname: image.family === 'windows' ? 'SRV-WIN01' : 'srv-linux01',
    profile: 'auto',
    resolvedProfile: profile.name,
    status: 'booting',
    stage: 'booting',
    progress: null,
    failureReason: null,
    requestedBy: { platform: 'api', id: 'api', name: 'api' },
    tokenNonce: 'sample',
    secrets: null,
    templates: null,
    boot: {
      platform,
      arch: platform === 'efi' ? 'x86_64' : 'i386',
      manufacturer: rule?.manufacturer ?? 'Dell Inc.',
      product: rule?.product ?? 'PowerEdge R650',
    },
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    approvedAt: at,
    bootingAt: at,
    installingAt: null,
    configuringAt: null,
    finishedAt: null,
    lastEventAt: at,
    ...overrides,
  } as Deployment;
}
