import { DemoCoreError } from '../demo-core.error';

/** The WOPI actions the pages open documents with (the gateway's session API accepts more). */
export type OpenAction = 'view' | 'edit' | 'editnew';

/** The part of the gateway's session answer the pages use. */
export interface GatewaySession {
  readonly hostPageUrl: string;
  readonly action: string;
  /** null: no WOPI client of the tenant offers this action for the file type. */
  readonly actionUrl: string | null;
  readonly client: string | null;
}

/**
 * The one call a core app makes to the gateway: POST /api/v1/sessions with the tenant's session
 * API key, from the server (the key must never reach a browser). The answer's host page is where
 * the user's browser goes next; it POSTs the access token into the editor's frame.
 */
export class GatewaySessions {
  constructor(private readonly gateway: { readonly url: string; readonly sessionApiKey: string } | undefined) {}

  get configured(): boolean {
    return this.gateway !== undefined;
  }

  async open(fileRef: string, userId: string, action: OpenAction): Promise<GatewaySession> {
    if (this.gateway === undefined) {
      throw DemoCoreError.badRequest(
        'no gateway configured (DEMO_CORE_GATEWAY_URL, DEMO_CORE_GATEWAY_SESSION_API_KEY)',
      );
    }
    const response = await fetch(`${this.gateway.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.gateway.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef, userId, action }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) {
      // The gateway's problem text says why (e.g. the user may not edit); never the key.
      const reason = (await response.text()).slice(0, 500);
      throw DemoCoreError.badRequest(`the gateway refused the session (HTTP ${response.status}): ${reason}`);
    }
    return (await response.json()) as GatewaySession;
  }
}
