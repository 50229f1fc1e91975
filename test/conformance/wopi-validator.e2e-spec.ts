/**
 * Microsoft's WOPI validator (../shared/wopi-validator) against the gateway, with the real demo
 * core app behind it. Every group named below must pass with nothing failed and nothing skipped.
 * The validator signs every request with its proof keys, as Office for the web does; the test
 * tenants' default WOPI client is the validator's own discovery server, with proof keys required.
 */
import { createTestTenant } from '../support/test-tenant';
import {
  startValidatorHarness,
  type ValidatorHarness,
  type ValidatorSession,
  validatorOutcomes,
} from '../support/wopi-validator';

const GROUPS_WITH_PUT_RELATIVE = [
  'BaseWopiViewing',
  'CheckFileInfoSchema',
  'EditFlows',
  'Locks',
  'GetLock',
  'ExtendedLockLength',
  'FileVersion',
  'PutRelativeFile',
  'RenameFileIfCreateChildFileIsNotSupported',
  'PutUserInfo',
  'ProofKeys',
];

describe('WOPI validator conformance', () => {
  let validator: ValidatorHarness;

  beforeAll(async () => {
    validator = await startValidatorHarness('core-groups');
  });

  afterAll(async () => {
    await validator?.close();
  });

  async function sessionForValidatorFile(features: Record<string, boolean>): Promise<ValidatorSession> {
    const { prisma, core, baseUrl, discoveryUrl } = validator;
    const tenant = await createTestTenant(prisma, core);
    await prisma.tenant.update({ where: { id: tenant.id }, data: { features } });
    await prisma.wopiClientProfile.create({
      data: {
        tenantId: tenant.id,
        name: 'wopi-validator',
        kind: 'WOPI_VALIDATOR',
        discoveryUrl,
        proofKeysRequired: true,
        isDefault: true,
      },
    });
    const response = await fetch(`${baseUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('validator.wopitest'), userId: 'alice' }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as ValidatorSession;
  }

  it('passes every core group with PutRelativeFile on', async () => {
    const report = await validator.run(GROUPS_WITH_PUT_RELATIVE, await sessionForValidatorFile({}));
    const results = validatorOutcomes(report);
    expect(new Set(report.groups.map((g) => g.name))).toEqual(new Set(GROUPS_WITH_PUT_RELATIVE));
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(40);
    expect(report.summary).toEqual({ passed: results.length, failed: 0, skipped: 0 });
  }, 240_000);

  it('passes PutRelativeFileUnsupported on a tenant with PutRelativeFile off', async () => {
    const report = await validator.run(
      ['PutRelativeFileUnsupported'],
      await sessionForValidatorFile({ putRelativeFile: false }),
    );
    const results = validatorOutcomes(report);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    expect(report.summary).toEqual({ passed: results.length, failed: 0, skipped: 0 });
  }, 120_000);
});
