// JSON bodies of successful WOPI responses other than CheckFileInfo (see check-file-info.ts).
// As there, omit optional properties rather than sending null: withoutUndefined().

/** PutRelativeFile (PutRelativeFile.rst). */
export interface PutRelativeFileResponse {
  /** The new file's name, with extension, without a path. */
  Name: string;
  /** The new file's WOPISrc with an access token appended; a GET on it is its CheckFileInfo. */
  Url: string;
  /** HostViewUrl of the new file (the validator's IncludeHostUrls test expects it for Office). */
  HostViewUrl?: string;
  /** HostEditUrl of the new file. */
  HostEditUrl?: string;
}

/** RenameFile (RenameFile.rst). */
export interface RenameFileResponse {
  /** The new name WITHOUT extension, unlike PutRelativeFile's Name. */
  Name: string;
}

/** GetShareUrl (GetShareUrl.rst). */
export interface GetShareUrlResponse {
  /** A page where the user can open the shared file. */
  ShareUrl: string;
}

/** PutFile: Collabora reads the file's new LastModifiedTime from the response (How_to_integrate.md). */
export interface PutFileResponse {
  /** ISO 8601 round-trip UTC (toIsoRoundTrip()). */
  LastModifiedTime?: string;
}
