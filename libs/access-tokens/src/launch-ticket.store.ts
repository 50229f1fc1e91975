import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';

const TICKET_ID = /^[A-Za-z0-9_-]{32}$/;

/** Core-app pages the host page links to when the editor asks (PostMessage UI_Sharing, UI_FileVersions, UI_Edit). */
export interface LaunchLinks {
  share?: string;
  versions?: string;
  edit?: string;
}

/** What a host page needs to start the editor; kept in Redis, never in a URL. */
export interface LaunchTicket {
  tenantId: string;
  fileId: string;
  sessionId: string;
  accessToken: string;
  accessTokenTtl: number;
  action: string;
  locale?: string;
  returnUrl?: string;
  links?: LaunchLinks;
  /** The WOPI-client profile whose editor the host page opens. */
  clientProfileId?: string;
}

/**
 * One-time, short-lived launch tickets: the host-page URL carries the ticket, the page exchanges it
 * for the access token, so the token never shows up in a URL, a log line or the browser history.
 */
@Injectable()
export class LaunchTicketStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async create(ticket: LaunchTicket, ttlSeconds: number): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    await this.redis.set(this.key(id), JSON.stringify(ticket), 'EX', ttlSeconds);
    return id;
  }

  /** Reads a ticket without spending it (the host page spends it once it can serve the editor). */
  async peek(id: string): Promise<LaunchTicket | null> {
    if (!TICKET_ID.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as LaunchTicket) : null;
  }

  /** Returns the ticket and deletes it in one command, so it can be used once only. */
  async consume(id: string): Promise<LaunchTicket | null> {
    if (!TICKET_ID.test(id)) return null;
    const raw = await this.redis.getdel(this.key(id));
    return raw ? (JSON.parse(raw) as LaunchTicket) : null;
  }

  private key(id: string): string {
    return `wopi:ticket:{${id}}`;
  }
}
