import { SeenSignatures } from '@wopi/core-app-client';

/** Expired entries dropped per accepted request: more than the one it adds, so the sweep keeps up. */
const SWEEP_PER_REQUEST = 4;
/**
 * 500 000 signatures: ~1 600 signed requests/s sustained over the 10 minutes an entry can live
 * (an entry of ~150 bytes: about 75 MB at the bound). Beyond it a request is refused rather than
 * an unexpired signature forgotten: forgetting one would make its request replayable.
 */
export const DEFAULT_REPLAY_GUARD_CAPACITY = 500_000;

/**
 * The replay check in O(1) per request: a Map from each accepted signature to the time it leaves
 * the window, plus a FIFO of the same entries in arrival order. Looking up and adding are Map
 * operations; every call also drops up to SWEEP_PER_REQUEST entries from the head of the FIFO
 * whose expiry has passed, so no request ever scans the table.
 *
 * Expiries are not in arrival order (a timestamp may be up to the window either side of our clock,
 * so an entry expires between now and now + 2 windows), so the head can hold back a few expired
 * entries behind it; none outlives its arrival by more than 2 windows, which bounds the table to
 * the requests of the last 2 windows, and `capacity` bounds it absolutely.
 *
 * It extends SeenSignatures only because verifySignedRequest takes that class; the parent's own
 * Map stays empty.
 */
export class ReplayGuard extends SeenSignatures {
  private readonly expiryBySignature = new Map<string, number>();
  /** Arrival order: signatures[i] was remembered with expiry expiriesInOrder[i]; head is the oldest. */
  private signatures: string[] = [];
  private expiriesInOrder: number[] = [];
  private head = 0;

  constructor(private readonly capacity = DEFAULT_REPLAY_GUARD_CAPACITY) {
    super();
  }

  /** Signatures currently remembered (expired ones not yet swept included). */
  get size(): number {
    return this.expiryBySignature.size;
  }

  /** False when the signature was seen and has not expired (a replay), or when the guard is full. */
  override remember(signature: string, expiresAtMs: number, nowMs: number): boolean {
    this.sweep(nowMs);
    const known = this.expiryBySignature.get(signature);
    if (known !== undefined && known > nowMs) return false;
    if (known === undefined && this.expiryBySignature.size >= this.capacity) return false;
    this.expiryBySignature.set(signature, expiresAtMs);
    this.signatures.push(signature);
    this.expiriesInOrder.push(expiresAtMs);
    return true;
  }

  private sweep(nowMs: number): void {
    for (let n = 0; n < SWEEP_PER_REQUEST && this.head < this.signatures.length; n++) {
      const expiresAt = this.expiriesInOrder[this.head];
      if (expiresAt > nowMs) break;
      const signature = this.signatures[this.head];
      // Only if the map still holds this entry: a signature re-remembered after expiry has a newer one.
      if (this.expiryBySignature.get(signature) === expiresAt) this.expiryBySignature.delete(signature);
      this.head += 1;
    }
    // Drop the consumed prefix once it is half the arrays: each element is copied at most once per
    // time it is consumed, so this stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.signatures.length) {
      this.signatures = this.signatures.slice(this.head);
      this.expiriesInOrder = this.expiriesInOrder.slice(this.head);
      this.head = 0;
    }
  }
}
