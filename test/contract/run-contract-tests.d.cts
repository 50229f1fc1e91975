// Types of run-contract-tests.cjs for TypeScript callers. Keep in step with the .cjs.
import type { ContractTestOptions } from './contract-checks.cjs';

export function runContractTests(
  options: ContractTestOptions & { only?: string },
  write?: (line: string) => void,
): Promise<{ passed: number; failed: number }>;
