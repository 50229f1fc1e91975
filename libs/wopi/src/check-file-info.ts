// The CheckFileInfo response (MS rest/files/CheckFileInfo.rst; learn rest/files/checkfileinfo/*;
// PostMessage properties: online/scenarios/customization.rst; Collabora: wsd/reference.md,
// sdk-excerpts-unverified/*; ONLYOFFICE: using-wopi/wopi-rest-api/checkfileinfo.md).
//
// Every optional property defaults on the client's side (false, '', [] or as documented), and no
// property may be null (_fragments/param_types.rst): leave it undefined and send withoutUndefined(info).

/** Share URL types for SupportedShareUrlTypes and X-WOPI-UrlType (CheckFileInfo.rst). */
export type ShareUrlType = 'ReadOnly' | 'ReadWrite';

export type ClientThrottlingProtection = 'MostProtected' | 'Protected' | 'Normal' | 'LessProtected' | 'LeastProtected';

export type RequestedCallThrottling = 'Normal' | 'Minor' | 'Medium' | 'Major' | 'Critical';

export type CopyPasteRestrictions = 'BlockAll' | 'CurrentDocumentOnly';

export type SharingStatus = 'Private' | 'Shared';

export type WorkflowType = 'Assign' | 'Submit';

export interface CheckFileInfo {
  // ---- Required (CheckFileInfo.rst "Required response properties") ----

  /** The file name with extension, without a path: shown in the UI and used for the file type. */
  BaseFileName: string;
  /**
   * Uniquely identifies the file's owner (usually who created or uploaded it); unique and stable per
   * user, telemetry only. Avoid <>"#{}^[]`\/ in it.
   */
  OwnerId: string;
  /** Size in bytes (a 64-bit signed integer). */
  Size: number;
  /** Uniquely identifies the user accessing the file; unique and stable per user, telemetry only. Avoid <>"#{}^[]`\/. */
  UserId: string;
  /** The file's current version, as a string even if numeric: must change with every change and never repeat. */
  Version: string;

  // ---- WOPI host capabilities (all default to false) ----

  /** Share URL types the host supports for GetShareUrl. */
  SupportedShareUrlTypes?: ShareUrlType[];
  /** Implements ExecuteCellStorageRequest and ExecuteCellStorageRelativeRequest (Cobalt). */
  SupportsCobalt?: boolean;
  /** Implements the container operations (CheckContainerInfo, CreateChildFile, EnumerateChildren, ...). */
  SupportsContainers?: boolean;
  /** Implements DeleteFile. */
  SupportsDeleteFile?: boolean;
  /** Implements CheckEcosystem, GetEcosystem and GetRootContainer. */
  SupportsEcosystem?: boolean;
  /** Accepts lock IDs of up to 1024 ASCII characters; without it clients assume 256. */
  SupportsExtendedLockLength?: boolean;
  /** Implements CheckFolderInfo, EnumerateChildren (folders) and DeleteFile (OneNote). */
  SupportsFolders?: boolean;
  /** Implements GetFileWopiSrc (ecosystem). */
  SupportsGetFileWopiSrc?: boolean;
  /** Implements GetLock. */
  SupportsGetLock?: boolean;
  /** Implements Lock, Unlock, RefreshLock and UnlockAndRelock. */
  SupportsLocks?: boolean;
  /** Implements RenameFile. */
  SupportsRename?: boolean;
  /** Implements PutFile and PutRelativeFile (or answers PutRelativeFile with 501 and sets UserCanNotWriteRelative). */
  SupportsUpdate?: boolean;
  /** Implements PutUserInfo. */
  SupportsUserInfo?: boolean;
  /**
   * CSPP Plus: implements the co-authoring extensions (GetCoauthLock, RefreshCoauthLock, UnlockCoauthLock,
   * GetCoauthTable, GetChunkedFile, PutChunkedFile, GetSequenceNumber). Deprecated in the rst set, revived in
   * learn checkfileinfo-csppp.md.
   */
  SupportsCoauth?: boolean;
  /** CSPP Plus: implements resumable file transfer (GetChunks, CreateUploadSession, UpdateUploadSession). */
  SupportsResumableFileTransfer?: boolean;
  /** ONLYOFFICE: the host supports the review permission. */
  SupportsReviewing?: boolean;

  // ---- User metadata ----

  /** The user's name for display, e.g. as the author of changes (Collabora shows "UnknownUser" without it). */
  UserFriendlyName?: string;
  /** The user is not authenticated with the host; UserId may then be omitted, OwnerId may not. */
  IsAnonymousUser?: boolean;
  /** The user is a business user (online/scenarios/business.rst). */
  LicenseCheckForEditIsEnabled?: boolean;
  /** The string the client stored with PutUserInfo for this user; must be returned when the host has one. */
  UserInfo?: string;
  /** The user is an education user. */
  IsEduUser?: boolean;
  /** Collabora 24.04.4+: the user administers the integration (update checks, server audit are shown to admins only). */
  IsAdminUser?: boolean;
  /** Collabora: extra user information shared with other editors, e.g. { avatar, mail }. */
  UserExtraInfo?: Record<string, unknown>;
  /** Collabora: per-user information not shared with other editors, e.g. ZoteroAPIKey, SignatureCert/Key/Ca. */
  UserPrivateInfo?: Record<string, unknown>;
  /** Collabora 24.04.11+: per-server credentials, e.g. ESignatureBaseUrl, ESignatureClientId, ESignatureSecret. */
  ServerPrivateInfo?: Record<string, unknown>;

  // ---- User permissions (all default to false) ----

  /** For this user the file cannot be changed. */
  ReadOnly?: boolean;
  /** The client should restrict what the user can do; behaviour is client-specific. */
  RestrictedWebViewOnly?: boolean;
  /** The user may view a broadcast of this file. */
  UserCanAttend?: boolean;
  /** The user may not create files on the host: PutRelativeFile will fail (Save As disabled). */
  UserCanNotWriteRelative?: boolean;
  /** The user may broadcast this file. */
  UserCanPresent?: boolean;
  /** The user may rename the file. */
  UserCanRename?: boolean;
  /** The user may change the file: the client may call PutFile for them. */
  UserCanWrite?: boolean;
  /** ONLYOFFICE: the user may review the file. */
  UserCanReview?: boolean;
  /** Collabora, ONLYOFFICE: the user may only add comments. */
  UserCanOnlyComment?: boolean;

  // ---- File URLs ----

  /** Where the client navigates when the application closes or fails for good; needed for any Close UI. */
  CloseUrl?: string;
  /** Downloads the newest version of the file directly, without further UI. */
  DownloadUrl?: string;
  /** A page where the user creates an embeddable link to the file. */
  FileEmbedCommandUrl?: string;
  /** A page where the user shares the file. */
  FileSharingUrl?: string;
  /** A page showing the file's version history. */
  FileVersionUrl?: string;
  /**
   * Where the client may fetch the file instead of calling GetFile (which must still work). Used as is:
   * no access token is appended, and requests to it are not signed with proof keys.
   */
  FileUrl?: string;
  /** A host page loading the edit action. */
  HostEditUrl?: string;
  /** A page with an embeddable view of the file, typically a host page loading embedview. */
  HostEmbeddedViewUrl?: string;
  /** A host page loading the view action; Office uses it to switch between view and edit. */
  HostViewUrl?: string;
  /** Signs the user out of the host. */
  SignoutUrl?: string;

  // ---- PostMessage (online/scenarios/customization.rst) ----

  /** The host frame supports HTML5 session history (App_PushState / App_PopState); OneNote only. */
  AppStateHistoryPostMessage?: boolean;
  /** Send UI_Close instead of navigating to CloseUrl (which must still be set for the Close UI to show). */
  ClosePostMessage?: boolean;
  /** Send UI_Edit instead of navigating to the edit action. */
  EditModePostMessage?: boolean;
  /** Send Edit_Notification. */
  EditNotificationPostMessage?: boolean;
  /** Send UI_FileEmbed when the Embed UI is used (FileEmbedCommandUrl is then ignored). */
  FileEmbedCommandPostMessage?: boolean;
  /** Send UI_Sharing when the Share UI is used (FileSharingUrl is then ignored). */
  FileSharingPostMessage?: boolean;
  /** Send UI_FileVersions when Previous Versions is used (FileVersionUrl is then ignored). */
  FileVersionPostMessage?: boolean;
  /**
   * The origin (scheme, host, port) of the host page: the client only talks PostMessage with it.
   * Required for any PostMessage traffic; '*' is not allowed.
   */
  PostMessageOrigin?: string;
  /** Pre-release: send UI_Workflow (WorkflowUrl is then ignored); needs WorkflowType. */
  WorkflowPostMessage?: boolean;

  // ---- Breadcrumbs ----

  /** The host's brand name. */
  BreadcrumbBrandName?: string;
  /** Where a click on BreadcrumbBrandName goes. */
  BreadcrumbBrandUrl?: string;
  /** The file name to show; BaseFileName when absent. */
  BreadcrumbDocName?: string;
  /** The name of the folder holding the file. */
  BreadcrumbFolderName?: string;
  /** Where a click on BreadcrumbFolderName goes. */
  BreadcrumbFolderUrl?: string;

  // ---- Miscellaneous ----

  /** The client may use Microsoft services (Bing spelling, Smart Lookup, ...). */
  AllowAdditionalMicrosoftServices?: boolean;
  /** On an error the client may ask the user to send a detailed report (which may include the file). */
  AllowErrorReportPrompt?: boolean;
  /** The client may connect to external services referenced in the file (e.g. an add-in marketplace). */
  AllowExternalMarketplace?: boolean;
  /** Close UI closes the browser tab or window. */
  CloseButtonClosesWindow?: boolean;
  /** Guidance for client-side throttling under stress. */
  ClientThrottlingProtection?: ClientThrottlingProtection;
  /** Pre-release: restrict copy and paste (Excel for the web only). */
  CopyPasteRestrictions?: CopyPasteRestrictions;
  /** Disable all printing (Collabora: also hides the print option). */
  DisablePrint?: boolean;
  /** Disable machine translation. */
  DisableTranslation?: boolean;
  /** The file's extension with its leading dot; clients then do not parse it from BaseFileName. */
  FileExtension?: string;
  /** The longest file name the host accepts, without extension; 250 when absent or 0 (see FILE_NAME_MAX_LENGTH). */
  FileNameMaxLength?: number;
  /**
   * When the file last changed: UTC in ISO 8601 round-trip format, "2009-06-15T13:45:30.0000000Z"
   * (toIsoRoundTrip()). Collabora needs it, here and in the PutFile response, to detect external changes.
   */
  LastModifiedTime?: string;
  /** Asks clients to call less often while the host is under pressure. */
  RequestedCallThrottling?: RequestedCallThrottling;
  /** Base64 SHA-256 of the content, for client-side caching (online/performance.rst). */
  SHA256?: string;
  /** Pre-release (required for CSPP Plus co-authoring): whether others have access to the file. */
  SharingStatus?: SharingStatus;
  /** The host cannot take writes on the file right now. */
  TemporarilyNotWritable?: boolean;
  /** Instead of SHA256, only if equal content always yields the same value (needs permission in CSPP). */
  UniqueContentId?: string;

  // ---- CSPP Plus (learn checkfileinfo-csppp.md) ----

  /** The current sequence number of the file's content (GetSequenceNumber). */
  SequenceNumber?: number;
  /** The URL of the discovery "collab" action. */
  OfficeCollaborationServiceEndpointUrl?: string;
  /** The URL of the discovery "rtc" action. */
  RealTimeChannelEndpointUrl?: string;
  /** When the access token expires, ms since the Unix epoch (0 is valid). */
  AccessTokenExpiry?: number;
  /** The host's clock when answering, ms since the Unix epoch. */
  ServerTime?: number;
  /** Regional compliance domain that traffic must stay in; omit without such requirements. */
  ComplianceDomainPrefix?: string;
  /** Where the file is stored geographically. */
  FileGeoLocationCode?: string;

  // ---- Workflow (pre-release) ----

  /** Workflow types available for the document; WorkflowUrl and WorkflowPostMessage are ignored without it. */
  WorkflowType?: WorkflowType[];
  /** A page where the user takes part in a workflow for the file. */
  WorkflowUrl?: string;

  // ---- Collabora Online extensions (wsd/reference.md, sdk-excerpts-unverified/*) ----

  /** Hide the print option (still reachable through PostMessage). */
  HidePrintOption?: boolean;
  /** Hide the save button (manual save still possible through PostMessage; autosave unaffected). */
  HideSaveOption?: boolean;
  /** Hide "Download as" (still reachable through PostMessage). */
  HideExportOption?: boolean;
  /** Hide the repair button. */
  HideRepairOption?: boolean;
  /** Disable export in any format (implies HideExportOption). */
  DisableExport?: boolean;
  /** Disable copying out of the document (pasting in still works). */
  DisableCopy?: boolean;
  /** Do not explain the overlay when the document becomes inactive; the host handles Session_Closed / User_Idle. */
  DisableInactiveMessages?: boolean;
  /** Print, slideshow and export downloads go to the host as a Download_As PostMessage. */
  DownloadAsPostMessage?: boolean;
  /** Save As goes to the host as a PostMessage with the chosen format (Collabora spells it "Postmessage"). */
  SaveAsPostmessage?: boolean;
  /** The owner (OwnerId = UserId) may close the document for everyone. */
  EnableOwnerTermination?: boolean;
  /** Enable the UI that asks the host for an image to insert (UI_InsertGraphic); also honoured by ONLYOFFICE. */
  EnableInsertRemoteImage?: boolean;
  /** Text drawn as a watermark on every tile of the document. */
  WatermarkText?: string;
  /** For a file that does not exist yet: a URL, reachable by Collabora, of a template to create it from. */
  TemplateSource?: string;
  /** Lock the user out of some features, which they can unlock. */
  IsUserLocked?: boolean;
  /** Disable some features for the user. */
  IsUserRestricted?: boolean;

  // ---- Unused, future and deprecated (CheckFileInfo.rst): defined, not used by clients ----

  /** A URL opening the file in a client, e.g. a DAV URL. */
  ClientUrl?: string;
  SupportsFileCreation?: boolean;
  SupportsScenarioLinks?: boolean;
  SupportsSecureStore?: boolean;
  /** Time-zone information in a host-defined format. */
  TimeZone?: string;
  /** Do not use: use UserId. */
  HostAuthenticationId?: string;
  PresenceUserId?: string;
  PresenceProvider?: string;
  /** The user's organisation; UserId must stay unique on its own. */
  TenantId?: string;
  UserPrincipalName?: string;
  EditAndReplyUrl?: string;
  /** Arbitrary host information clients must ignore unless they understand it. */
  HostNotes?: string;
  HostRestUrl?: string;
  /** Lets anonymous users sign in; without it no sign-in UI is shown. */
  SignInUrl?: string;
  DisableBrowserCachingOfUserContent?: boolean;
  IrmPolicyDescription?: string;
  IrmPolicyTitle?: string;
  ProtectInClient?: boolean;
  HostEmbeddedEditUrl?: string;
  /** The client must not allow editing (not a permission: use UserCanWrite for that). */
  WebEditingDisabled?: boolean;
  /** Cobalt capabilities, e.g. "DownloadStreaming"; ignored unless SupportsCobalt. */
  CobaltCapabilities?: string[];
  /** @deprecated 2014.06.01 */
  BreadcrumbDocUrl?: string;
  /** @deprecated 2014.06.01 */
  EditingCannotSave?: boolean;
  /** @deprecated 2016.01.12 */
  HostName?: string;
  /** @deprecated 2015.06.01 */
  PrivacyUrl?: string;
  /** @deprecated 2015.06.01 */
  TermsOfUseUrl?: string;
}
