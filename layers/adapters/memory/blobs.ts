// BlobStore in memory, for the core's unit tests: objects by key; "presigned" URLs name the key.
import { BlobNotFoundError, type BlobStore, type PresignedPost } from '../../core/ports';

export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), contentType });
  }

  async get(key: string): Promise<Buffer> {
    const object = this.objects.get(key);
    if (!object) throw new BlobNotFoundError(key);
    return Buffer.from(object.body);
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    for (const k of keys) this.objects.delete(k);
    return keys.length;
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return `memory://${encodeURIComponent(key)}?expires=${expiresInSeconds}`;
  }

  async presignPost(key: string, contentType: string, maxBytes: number, expiresInSeconds: number): Promise<PresignedPost> {
    return { url: 'memory://upload', fields: { key, 'Content-Type': contentType, max: String(maxBytes), expires: String(expiresInSeconds) } };
  }

  async size(key: string): Promise<number> {
    const object = this.objects.get(key);
    if (!object) throw new BlobNotFoundError(key);
    return object.body.length;
  }
}
