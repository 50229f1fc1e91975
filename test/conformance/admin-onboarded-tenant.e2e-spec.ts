/**
 * Done-when of the admin API: a tenant created, configured and given a session key through the
 * admin API alone (no SQL, no restart of the running gateway) opens a session and passes the WOPI
 * validator's BaseWopiViewing group with proof keys on, against the real demo core app and the
 * validator's own discovery (which signs every request as Office for the web does).
 */
import { randomBytes } from 'node:crypto';
import { createTestAdminKey } from '../support/test-tenant';
import {
  startValidatorHarness,
  type ValidatorHarness,
  type ValidatorSession,
  validatorOutcomes,
} from '../support/wopi-validator';

describe('a tenant onboarded through the admin API alone', () => {
  let validator: ValidatorHarness;

  beforeAll(async () => {
    validator = await startValidatorHarness('admin');
  });

  afterAll(async () => {
    await validator?.close();
  });

  async function admin(key: string, method: string, url: string, body?: object) {
    const response = await fetch(`${validator.baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('opens a session and passes BaseWopiViewing with proof keys verified', async () => {
    const { prisma, core, baseUrl, discoveryUrl } = validator;
    // The only row written directly: the operator's first admin key, as `npm run admin -- create-admin-key` does.
    const operator = await createTestAdminKey(prisma, ['read', 'write']);
    const slug = `v-${randomBytes(5).toString('hex')}`;
    expect(
      (
        await admin(operator, 'POST', '/admin/v1/tenants', {
          slug,
          displayName: 'Validator line',
          coreApp: { baseUrl: core.baseUrl, secret: core.credential },
        })
      ).status,
    ).toBe(201);
    expect((await admin(operator, 'PATCH', `/admin/v1/tenants/${slug}`, { accessTokenTtlMs: 3_600_000 })).status).toBe(
      200,
    );
    const profile = await admin(operator, 'POST', `/admin/v1/tenants/${slug}/client-profiles`, {
      name: 'wopi-validator',
      kind: 'validator',
      discoveryUrl,
      isDefault: true,
      proofKeysRequired: true,
    });
    expect(profile.status).toBe(201);
    const sessionKey = await admin(operator, 'POST', `/admin/v1/tenants/${slug}/api-keys`, {
      name: 'core app',
      kind: 'session',
    });
    expect(sessionKey.status).toBe(201);

    const response = await fetch(`${baseUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sessionKey.body.key as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileRef: await core.refOf('validator.wopitest'), userId: 'alice' }),
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as ValidatorSession;

    // Proof keys are on: an unsigned request is refused as proofkeys.rst demands (500).
    const unsigned = await fetch(`${session.wopiSrc}?access_token=${encodeURIComponent(session.accessToken)}`);
    expect(unsigned.status).toBe(500);

    const report = await validator.run(['BaseWopiViewing'], session);
    const results = validatorOutcomes(report);
    expect(report.groups.map((group) => group.name)).toEqual(['BaseWopiViewing']);
    expect(results.filter((result) => result.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    expect(report.summary).toEqual({ passed: results.length, failed: 0, skipped: 0 });
  }, 180_000);
});
