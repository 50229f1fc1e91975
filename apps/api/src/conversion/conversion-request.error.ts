/** The user may not read the source or may not create files next to it (403). */
export class ConversionDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionDeniedError';
  }
}

/** No such conversion for this tenant: unknown, expired, or another tenant's (404). */
export class ConversionNotFoundError extends Error {
  constructor() {
    super('No such conversion');
    this.name = 'ConversionNotFoundError';
  }
}
