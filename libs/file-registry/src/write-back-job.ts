/** Payload of a write-back job: one saved version (QueueName.WriteBack / JobName.WriteBackFile). */
export interface WriteBackJob {
  tenantId: string;
  fileId: string;
  versionId: string;
  versionNumber: number;
  /** The core app's user the version is written as. */
  userId: string;
  /** When the save was recorded (ms since the epoch): wopi.write_back.lag runs from here. */
  savedAtMs?: number;
  /** Trace context of the save (W3C headers): the job's spans join the PutFile's trace. */
  trace?: Record<string, string>;
}

/** A deterministic job id per version: enqueuing the same version twice adds one job. */
export const writeBackJobId = (versionId: string) => `wb-${versionId}`;
