/** Every BullMQ queue of the gateway. The api enqueues, the worker processes. */
export enum QueueName {
  Housekeeping = 'housekeeping',
  /** Saved versions on their way to the core app (one job per version). */
  WriteBack = 'write-back',
  /** Server-side document conversions (LibreOffice). */
  Conversion = 'conversion',
}

/** Job names within the queues. */
export enum JobName {
  PurgeAuditEvents = 'purge-audit-events',
  SweepStaging = 'sweep-staging',
  PurgeDeletedTenants = 'purge-deleted-tenants',
  WriteBackFile = 'write-back-file',
  ConvertFile = 'convert-file',
}
