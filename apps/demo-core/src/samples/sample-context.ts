/** What every sample builder is given, so all samples of one seed share author and timestamp. */
export interface SampleContext {
  readonly author: string;
  readonly createdAt: Date;
}
