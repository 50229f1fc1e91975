import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Logger } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { assertEgressUrl, egressAxiosConfig, egressRefusalIn } from '@wopi/egress';
import { tenantLabel, wopiMetrics } from '@wopi/telemetry';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from 'axios';
import CircuitBreaker from 'opossum';
import { ANSWER_KINDS, CoreAppError, CoreAppErrorKind } from './core-app.error';
import type { CoreAppClientOptions } from './core-app-client.options';
import type { CoreAppTarget } from './core-app.types';
import { EMPTY_BODY_SHA256, signRequest } from './request-signing';

export interface SignedCall {
  /** Name of the contract operation, for logs and metrics. */
  operation: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Path below the tenant's base URL, with its query string, already encoded. */
  path: string;
  /** Hex SHA-256 of `data` (streams: computed by the caller beforehand). */
  contentSha256?: string;
  axios?: AxiosRequestConfig;
}

/**
 * Everything the gateway keeps per tenant to talk to its core app: one keep-alive axios
 * instance and one opossum breaker. Rebuilt when the tenant's URL or credential changes.
 */
export class TenantChannel {
  private readonly logger: Logger;
  private readonly http: AxiosInstance;
  private readonly breaker: CircuitBreaker<[AxiosRequestConfig], AxiosResponse>;
  private openedAtMs: number | undefined;

  constructor(
    readonly target: CoreAppTarget,
    private readonly options: CoreAppClientOptions,
    agents: { http: HttpAgent; https: HttpsAgent },
  ) {
    this.logger = new Logger(`CoreApp:${target.tenantId}`);
    this.http = axios.create({
      httpAgent: agents.http,
      httpsAgent: agents.https,
      // Redirects would hand the signed request to another host.
      maxRedirects: 0,
      // The resolved address of every connection must be one the egress policy allows.
      ...egressAxiosConfig(options.egress),
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      // Every status is an answer to classify here, not an axios exception.
      validateStatus: () => true,
    });
    this.breaker = new CircuitBreaker((config: AxiosRequestConfig) => this.send(config), {
      // Timeouts are axios's (it aborts the request); opossum's own would leave it running.
      timeout: false,
      errorThresholdPercentage: options.breaker.errorThresholdPercentage,
      volumeThreshold: options.breaker.volumeThreshold,
      rollingCountTimeout: options.breaker.rollingWindowMs,
      resetTimeout: options.breaker.resetTimeoutMs,
      // 4xx answers come from a healthy core app: they must not open the breaker.
      errorFilter: (error: unknown) => error instanceof CoreAppError && ANSWER_KINDS.has(error.kind),
    });
    this.breaker.on('open', () => {
      this.openedAtMs = Date.now();
      this.transition('open');
    });
    this.breaker.on('halfOpen', () => this.transition('half_open'));
    this.breaker.on('close', () => {
      this.openedAtMs = undefined;
      this.transition('closed');
    });
  }

  get fingerprint(): string {
    return fingerprintOf(this.target);
  }

  get state(): 'closed' | 'open' | 'half_open' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  /** Sends one signed call through the breaker; resolves only with a 2xx response. */
  async call(call: SignedCall): Promise<AxiosResponse> {
    const url = `${this.target.baseUrl.replace(/\/+$/, '')}${call.path}`;
    try {
      // An IP-literal host never reaches the DNS hook: check the URL itself first.
      assertEgressUrl(url, this.options.egress);
    } catch (error) {
      throw new CoreAppError(CoreAppErrorKind.Unavailable, `core app URL refused: ${(error as Error).message}`);
    }
    const pathWithQuery = new URL(url).pathname + new URL(url).search;
    const headers: Record<string, string> = {
      ...(call.axios?.headers as Record<string, string> | undefined),
      ...signRequest(this.target.credential, {
        method: call.method,
        pathWithQuery,
        contentSha256: call.contentSha256 ?? EMPTY_BODY_SHA256,
        timestampMs: Date.now(),
      }),
    };
    // W3C trace context, so the core app's logs and spans join the gateway's trace.
    propagation.inject(context.active(), headers);
    const started = performance.now();
    let errorType: string | undefined;
    try {
      return await this.breaker.fire({ ...call.axios, method: call.method, url, headers });
    } catch (error) {
      const failure = this.toCoreAppError(error);
      errorType = failure.details.status ? String(failure.details.status) : failure.kind;
      throw failure;
    } finally {
      wopiMetrics.coreAppRequest((performance.now() - started) / 1000, {
        'wopi.tenant': tenantLabel(this.target.tenantId),
        'wopi.core_app.operation': call.operation,
        'error.type': errorType,
      });
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private async send(config: AxiosRequestConfig): Promise<AxiosResponse> {
    const response = await this.http.request(config);
    if (response.status >= 200 && response.status < 300) return response;
    throw await errorFromResponse(response);
  }

  private toCoreAppError(error: unknown): CoreAppError {
    if (error instanceof CoreAppError) return error;
    if ((error as { code?: string })?.code === 'EOPENBREAKER') {
      const resetAt = (this.openedAtMs ?? Date.now()) + this.options.breaker.resetTimeoutMs;
      return new CoreAppError(CoreAppErrorKind.CircuitOpen, 'core app circuit is open', {
        retryAfterSeconds: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)),
      });
    }
    const refused = egressRefusalIn(error);
    if (refused) return new CoreAppError(CoreAppErrorKind.Unavailable, `core app URL refused: ${refused.message}`);
    if (isAxiosError(error)) {
      return new CoreAppError(CoreAppErrorKind.Unavailable, `core app unreachable: ${error.code ?? error.message}`, {
        retryAfterSeconds: 1,
      });
    }
    return new CoreAppError(
      CoreAppErrorKind.Unavailable,
      `core app call failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private transition(state: string): void {
    const message = `core-app circuit ${state} for tenant ${this.target.tenantId}`;
    if (state === 'open') this.logger.warn(message);
    else this.logger.log(message);
  }
}

export function fingerprintOf(target: CoreAppTarget): string {
  return [target.baseUrl, target.credential, target.timeoutMs].join('\n');
}

const KIND_BY_STATUS: Record<number, CoreAppErrorKind> = {
  400: CoreAppErrorKind.Rejected,
  403: CoreAppErrorKind.Forbidden,
  404: CoreAppErrorKind.NotFound,
  409: CoreAppErrorKind.NameConflict,
  412: CoreAppErrorKind.VersionMismatch,
  413: CoreAppErrorKind.TooLarge,
};

async function errorFromResponse(response: AxiosResponse): Promise<CoreAppError> {
  const body = await readErrorBody(response.data);
  const code =
    typeof body?.error === 'object' && body.error
      ? String((body.error as Record<string, unknown>).code ?? '')
      : undefined;
  const status = response.status;
  const kind =
    KIND_BY_STATUS[status] ??
    // 401 means the core app refused our signature: a configuration fault that makes every call
    // fail, so it counts as an outage of that tenant's core app, like a 5xx.
    (status === 401 || status >= 500 ? CoreAppErrorKind.Unavailable : CoreAppErrorKind.BadResponse);
  const retryAfter = Number(response.headers['retry-after']);
  return new CoreAppError(kind, `core app answered ${status}${code ? ` (${code})` : ''}`, {
    status,
    code,
    body,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  });
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The contract's small JSON error body; a streamed (content) error response is read up to a limit. */
async function readErrorBody(data: unknown): Promise<Record<string, unknown> | undefined> {
  if (data && typeof data === 'object' && typeof (data as NodeJS.ReadableStream).on === 'function') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of data as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ERROR_BODY_BYTES) break;
      chunks.push(chunk);
    }
    (data as { destroy?: () => void }).destroy?.();
    data = Buffer.concat(chunks).toString('utf8');
  }
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
}
