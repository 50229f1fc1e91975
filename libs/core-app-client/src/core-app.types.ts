import type { Readable } from 'node:stream';

/** What the core app answers about one file for one user (contract v1, `GET /files/{ref}`). */
export interface CoreFile {
  ref: string;
  name: string;
  size: number;
  /** The core app's version: opaque, changes whenever the content changes. */
  version: string;
  /** Hex SHA-256 of the current content, when the core app knows it. */
  sha256?: string;
  ownerId: string;
  /** ISO 8601, UTC, millisecond precision. */
  lastModifiedTime: string;
  permissions: CorePermissions;
  urls?: { view?: string; edit?: string; close?: string; share?: string; versions?: string; folder?: string };
  breadcrumb?: { brandName?: string; brandUrl?: string; folderName?: string; folderUrl?: string };
}

export interface CorePermissions {
  read: boolean;
  write: boolean;
  rename: boolean;
  delete: boolean;
  createSibling: boolean;
  share: boolean;
}

/** `GET /users/{userId}`. */
export interface CoreUser {
  id: string;
  displayName: string;
  email?: string;
  avatarUrl?: string;
}

/** The tenant settings a client is built from. */
export interface CoreAppTarget {
  tenantId: string;
  baseUrl: string;
  credential: string;
  /** Timeout of metadata calls. */
  timeoutMs: number;
  /** How long a permissions answer may be reused (0 = never). */
  permissionCacheTtlMs: number;
}

/** A request body that can be produced again for a retry (a stream can be read only once). */
export interface ReplayableBody {
  open: () => Readable | Promise<Readable>;
  sizeBytes: number;
  sha256: string;
}

export interface ContentDownload {
  /** Exactly `sizeBytes` bytes, or an error before the end. */
  stream: Readable;
  version: string | undefined;
  sizeBytes: number;
}

export type SiblingConflictPolicy = 'fail' | 'overwrite' | 'rename';
