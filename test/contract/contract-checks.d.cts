// Types of contract-checks.cjs for TypeScript callers (the Jest suite). Keep in step with the .cjs.
import type { ContractClient } from './contract-client.cjs';

export interface ContractTestOptions {
  /** The core app's contract base URL, e.g. https://app.example.com/wopi-contract/v1. */
  baseUrl: string;
  secret: string;
  users: { editor: string; viewer: string; none: string };
  /** Ref of a file the editor may write; restored at the end. */
  file: string;
  timeoutMs?: number;
}

export interface ContractContext {
  client: ContractClient;
  users: ContractTestOptions['users'];
  file: string;
  runId: string;
  extension: string;
  /** ref -> name of the files this run created and has not deleted yet. */
  created: Map<string, string>;
}

export interface ContractCheck {
  name: string;
  /** Resolves (optionally with a note such as "not implemented") or throws a CheckFailure. */
  run(ctx: ContractContext): Promise<string | undefined | void>;
  /** The operation is optional in the contract; a core app may answer 404/405/501. */
  optional?: boolean;
  /** Runs even when only some checks are selected. */
  cleanup?: boolean;
}

export class CheckFailure extends Error {}
export const checks: readonly ContractCheck[];
export function newContext(options: ContractTestOptions): ContractContext;
/** Every way `body` falls short of FileMetadata (empty when it is valid). */
export function metadataProblems(body: unknown): string[];
