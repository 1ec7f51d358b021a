import type { EntityManager } from '@mikro-orm/postgresql';
import { Deployment } from '../deployments/deployment.entity.js';
import { ACTIVE_STATES } from '../deployments/lifecycle.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { IMAGE_CHANGES_CHANNEL } from './image-cache.js';
import { type ImageInput, imageInput } from './image-schema.js';
import { OsImage } from './os-image.entity.js';

/** The OS catalog in Postgres. */
export class ImageRepository {
  /**
   * @param onWrite called after every create, update, delete and seed, in this process; other processes
   *   learn of it through the {@link IMAGE_CHANGES_CHANNEL} notification every write sends.
   */
  constructor(
    private readonly em: EntityManager,
    private readonly onWrite: () => void = () => {},
  ) {}

  private async written(id: string): Promise<void> {
    await this.em.getConnection().execute('select pg_notify(?, ?)', [IMAGE_CHANGES_CHANNEL, id]);
    this.onWrite();
  }

  list(): Promise<OsImage[]> {
    return this.em.find(OsImage, {}, { orderBy: { id: 'asc' } });
  }

  async get(id: string): Promise<OsImage> {
    const image = await this.em.findOne(OsImage, { id });
    if (!image) throw new NotFoundError(`unknown OS image "${id}"`, 'image:unknown');
    return image;
  }

  async create(input: unknown): Promise<OsImage> {
    const data = parseImage(input);
    if (await this.em.findOne(OsImage, { id: data.id })) {
      throw new ConflictError('image:exists', `OS image "${data.id}" already exists`);
    }
    const image = this.em.create(OsImage, {
      ...data,
      source: 'api',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await this.em.flush();
    await this.written(image.id);
    return image;
  }

  /** Replaces an image's definition; catalog images become operator-owned once edited. */
  async update(id: string, input: unknown): Promise<OsImage> {
    const image = await this.get(id);
    const data = parseImage({ ...(input as object), id });
    this.em.assign(image, { ...data, source: 'api' });
    await this.em.flush();
    await this.written(image.id);
    return image;
  }

  async delete(id: string): Promise<void> {
    const image = await this.get(id);
    const active = await this.em.count(Deployment, { os: id, status: { $in: [...ACTIVE_STATES] } });
    if (active)
      throw new ConflictError('image:in-use', `OS image "${id}" is used by ${active} active deployment(s)`);
    await this.em.remove(image).flush();
    await this.written(id);
  }

  /** Inserts catalog.yaml's images and refreshes those still owned by the catalog. */
  async seed(images: ImageInput[]): Promise<void> {
    for (const data of images) {
      await this.em.getConnection().execute(
        `insert into "os_image" ("id", "name", "family", "boot", "templates", "editions", "default_edition", "disk", "source", "created_at", "updated_at")
         values (?, ?, ?, ?, ?, ?, ?, ?, 'catalog', now(), now())
         on conflict ("id") do update set "name" = excluded."name", "family" = excluded."family", "boot" = excluded."boot",
           "templates" = excluded."templates", "editions" = excluded."editions", "default_edition" = excluded."default_edition", "disk" = excluded."disk",
           "updated_at" = now()
         where "os_image"."source" = 'catalog'`,
        [
          data.id,
          data.name,
          data.family,
          JSON.stringify(data.boot),
          data.templates,
          data.editions ? JSON.stringify(data.editions) : null,
          data.defaultEdition,
          data.disk,
        ],
      );
    }
    await this.written('*');
  }
}

function parseImage(input: unknown): ImageInput {
  const parsed = imageInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `image ${issue.path.join('.') || 'body'}: ${issue.message}`,
      parsed.error.issues,
    );
  }
  return parsed.data;
}
