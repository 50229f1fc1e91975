import { IsOptional, IsUUID, Matches } from 'class-validator';

/** Largest page of any admin listing: a listing is never unbounded. */
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 50;

/** `?limit=&after=`: keyset paging over time-ordered ids (UUIDv7). */
export class PageQueryDto {
  /** 1 to 100; 50 when absent. */
  @IsOptional()
  @Matches(/^(100|[1-9][0-9]?)$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  /** The `nextCursor` of the previous page. */
  @IsOptional()
  @IsUUID()
  after?: string;
}

export interface Page {
  limit: number;
  after?: string;
}

export function pageOf(query: PageQueryDto): Page {
  return { limit: query.limit ? Number(query.limit) : DEFAULT_PAGE_SIZE, after: query.after };
}

/** The items of one page and the cursor of the next (null on the last page). */
export function paged<T extends { id: string }>(rows: T[], page: Page): { items: T[]; nextCursor: string | null } {
  // The query asked for one row more than the page holds: its presence says there is a next page.
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
}
