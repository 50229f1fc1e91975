/** The WOPI client's discovery could not be fetched or read, and no usable copy is cached. */
export class DiscoveryUnavailableError extends Error {
  constructor(
    readonly profileName: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`discovery of WOPI-client profile "${profileName}" is unavailable: ${reason}`, options);
    this.name = 'DiscoveryUnavailableError';
  }
}
