import Handlebars from 'handlebars';
import type { Core } from '../../core/create-core.js';
import type { OsImage } from '../../core/images/os-image.entity.js';
import { buildRenderContext } from '../../core/render/render-context.js';
import { compileOptions, TemplateError } from '../../core/render/template-engine.js';
import { overlaySet, PARTIALS_PREFIX, type TemplateSet } from '../../core/render/template-set.js';
import { checkHandlebars, missingVariable } from '../../core/templates/handlebars-check.js';
import { checkRendered } from '../../core/templates/readers/check-rendered.js';
import type { ReaderFinding } from '../../core/templates/readers/reader-finding.js';
import { secretInUrl } from '../../core/templates/secret-in-url.js';
import { TemplateInvalidError } from '../../core/templates/template-invalid-error.js';
import { MACHINE_SCRIPTS, type TemplateKind, templateKind } from '../../core/templates/template-names.js';
import { deploymentTemplateNames, imageScope } from '../../core/templates/template-store.js';
import {
  buildInstallContext,
  DEFAULT_RETRY,
  installTemplateName,
  renderEntryScript,
  renderLocalBootScript,
  renderWaitingScript,
} from '../ipxe/scripts.js';
import { imageSamples, SAMPLE_SECRETS, sampleDeployment } from './samples.js';

interface Rendered {
  target: string;
  sample: string;
  kind: TemplateKind;
  text: string;
}

/**
 * Checks a template's new text before it is stored, as the "validated before use" asks: it parses
 * as Handlebars and uses only allowed helpers and existing partials; it renders in strict mode for every
 * image that uses it, on each firmware and profile, with and without a domain join (a partial: every
 * script that can include it); what it renders passes its reader's check (unattend XSD, autoinstall
 * schema, iPXE commands, preseed syntax, `sh -n`); and no secret lands unescaped in a URL. The first
 * problem is thrown as {@link TemplateInvalidError}; nothing is stored by this function.
 */
export async function checkTemplate(core: Core, name: string, content: string): Promise<void> {
  const scope = imageScope(name);
  const base = scope?.name ?? name;
  const fail = (sample: string, finding: ReaderFinding, rendered?: string): never => {
    throw new TemplateInvalidError(name, sample, finding, rendered);
  };
  await core.templateStore.fresh();
  const shared = scope ? core.templateStore.forImage(scope.imageId) : core.templateStore.current();
  const syntax = checkHandlebars(content, (partial) => !!shared.get(`${PARTIALS_PREFIX}${partial}`));
  if (syntax) fail('as written', syntax);
  try {
    Handlebars.precompile(content, compileOptions(base));
  } catch (error) {
    fail('as written', {
      line: lineOf((error as Error).message),
      reason: (error as Error).message.split('\n')[0]!,
    });
  }

  const candidate = new Map([[base, { name, content, version: -1, source: 'operator' as const }]]);
  const images = (await core.deployments.images().list()).filter((i) => !scope || i.id === scope.imageId);
  const profiles = await core.profiles.list();
  const rendered: Rendered[] = [];
  const render = (target: string, sample: string, produce: () => string) => {
    try {
      rendered.push({ target, sample, kind: templateKind(target), text: produce() });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      const cause = error.message.replace(/^rendering \S+ failed: /, '');
      fail(
        sample,
        {
          line: lineOf(cause),
          reason: cause.replace(/ - \d+:\d+$/, '').replace(/ in \[object Object\]/, ''),
        },
        target,
      );
    }
  };

  for (const image of images) {
    const set = overlaySet(core.templateStore.forImage(image.id), candidate);
    const targets = imageTargets(base, image, set);
    if (!targets.length) continue;
    for (const sample of imageSamples(image, profiles, core.config)) {
      const token = `42.${'A'.repeat(43)}`;
      for (const target of targets) {
        let context: object | undefined;
        render(target, sample.label, () => {
          const engine = core.templates.using(set);
          context =
            target === installTemplateName(image)
              ? buildInstallContext(engine, {
                  config: sample.config,
                  deployment: sample.deployment,
                  image,
                  token,
                  retry: DEFAULT_RETRY,
                  profile: sample.profile,
                })
              : buildRenderContext({
                  config: sample.config,
                  deployment: sample.deployment,
                  image,
                  token,
                  secrets: sample.secrets,
                  profile: sample.profile,
                });
          return engine.render(target, context);
        });
        // Only for the template being saved: a missing variable elsewhere is not this change's fault.
        const missing = target === base && context ? missingVariable(content, context) : null;
        if (missing) fail(sample.label, missing);
      }
    }
  }
  if (!scope && (MACHINE_SCRIPTS.has(base) || base.startsWith(PARTIALS_PREFIX))) {
    renderMachineScripts(core, overlaySet(core.templateStore.current(), candidate), render);
  }

  // Identical output needs one check: most samples differ only where this template does not look.
  const unique = [...new Map(rendered.map((r) => [`${r.kind}\0${r.text}`, r])).values()];
  const findings = await checkRendered(unique);
  findings.forEach((finding, i) => {
    if (finding) fail(unique[i]!.sample, finding, unique[i]!.target);
  });
  for (const doc of unique) {
    const leak = secretInUrl(doc.text, {
      'secrets.password': SAMPLE_SECRETS.password,
      'secrets.joinPassword': SAMPLE_SECRETS.joinPassword,
    });
    if (leak) fail(doc.sample, leak, doc.target);
  }
}

/** The templates of `image` that a change to `base` affects. */
function imageTargets(base: string, image: OsImage, set: TemplateSet): string[] {
  const all = deploymentTemplateNames(set, {
    installScript: installTemplateName(image),
    artifacts: image.templates,
  }).filter((n) => !n.startsWith(PARTIALS_PREFIX));
  if (base.startsWith(PARTIALS_PREFIX)) return all;
  return all.includes(base) ? [base] : [];
}

function renderMachineScripts(
  core: Core,
  set: TemplateSet,
  render: (target: string, sample: string, produce: () => string) => void,
): void {
  const engine = core.templates.using(set);
  const bootUrl = core.config.publicBootUrl;
  render('ipxe/boot.ipxe', 'entry script', () =>
    renderEntryScript(engine, { bootUrl, retry: DEFAULT_RETRY }),
  );
  const profile = {
    name: 'kvm',
    priority: 0,
    match: [],
    windowsDrivers: null,
    kernelArgs: '',
    serialConsole: null,
  };
  const pending = sampleDeployment({ id: 'ws2025', family: 'windows' }, null, 'efi', profile, {
    status: 'pending_approval',
  });
  for (const platforms of [[], ['discord', 'slack']] as const) {
    render('ipxe/waiting.ipxe', `waiting, chat ${platforms.join('+') || 'shell'}`, () =>
      renderWaitingScript(engine, {
        config: { ...core.config, chatPlatforms: [...platforms] },
        deployment: pending,
        retry: DEFAULT_RETRY,
        pollSeconds: 15,
      }),
    );
  }
  for (const platform of ['efi', 'pcbios', undefined]) {
    render('ipxe/local-boot.ipxe', `local boot, firmware ${platform ?? 'unknown'}`, () =>
      renderLocalBootScript(engine, {
        mac: '52:54:00:12:34:56',
        platform,
        deployment: null,
        bootUrl: core.config.publicBootUrl,
      }),
    );
  }
}

/** `… - 12:4` (Handlebars strict mode) or `Parse error on line 12` → 12. */
function lineOf(message: string): number | null {
  const m = / - (\d+):\d+$/.exec(message) ?? /line (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}
