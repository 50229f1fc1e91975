import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CreateSessionDto, SessionResponse } from '../../apps/api/src/session/create-session.dto';
import type { TestTenant } from './test-tenant';

/** What a session request may ask for besides the file and the user: action, locale, returnUrl. */
export type EditorSessionOptions = Omit<CreateSessionDto, 'fileRef' | 'userId'>;

/**
 * Opens an editor session as the tenant's core app would (POST /api/v1/sessions with its session
 * API key) and returns the session API's answer. For tests that need a session to work with: a
 * test of a refused session request sends its own, to assert the status it expects.
 */
export async function openEditorSession(
  app: NestFastifyApplication,
  tenant: TestTenant,
  payload: CreateSessionDto,
): Promise<SessionResponse> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/sessions',
    headers: { authorization: `Bearer ${tenant.sessionApiKey}` },
    payload,
  });
  // The body says why (403 denied, 404 unknown file, 503 core app down), which a bare status hides.
  if (response.statusCode !== 201) {
    throw new Error(`POST /api/v1/sessions answered ${response.statusCode}, not 201: ${response.body}`);
  }
  return response.json<SessionResponse>();
}
