import type { CoreFile } from './core-app.types';

const MAX_ENTRIES = 10_000;

/**
 * Short-lived, per-process cache of metadata-and-permissions answers (tenant-configurable TTL,
 * off by default). Writes bypass it and every write through this client evicts the file.
 */
export class PermissionCache {
  private readonly entries = new Map<string, { value: CoreFile; expiresAtMs: number }>();

  get(key: string[], nowMs = Date.now()): CoreFile | undefined {
    const id = key.join('\n');
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  set(key: string[], value: CoreFile, ttlMs: number, nowMs = Date.now()): void {
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key.join('\n'), { value, expiresAtMs: nowMs + ttlMs });
  }

  forgetFile(tenantId: string, ref: string): void {
    const prefix = `${tenantId}\n${ref}\n`;
    for (const id of this.entries.keys()) if (id.startsWith(prefix)) this.entries.delete(id);
  }
}
