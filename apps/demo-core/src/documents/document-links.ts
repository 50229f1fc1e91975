/** Absolute URLs of the core app's own pages for one document (contract: FileMetadata.urls). */
export interface FileUrls {
  /** The document's page, read-only. */
  readonly view: string;
  /** The page a user edits the document from. */
  readonly edit: string;
  /** Where to go when the editor closes: the folder the document is in. */
  readonly close: string;
  /** Who has access to the document. */
  readonly share: string;
  /** The document's versions. */
  readonly versions: string;
  /** The folder the document is in. */
  readonly folder: string;
}

/** What the editor shows above a document (contract: FileMetadata.breadcrumb). */
export interface Breadcrumb {
  readonly brandName: string;
  readonly brandUrl: string;
  readonly folderName: string;
  readonly folderUrl: string;
}

/** Builds the links of file metadata; implemented by the UI, which owns the pages. */
export interface DocumentLinks {
  urlsFor(ref: string): FileUrls;
  breadcrumb(): Breadcrumb;
}
