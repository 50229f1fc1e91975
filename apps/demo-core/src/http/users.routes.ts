import { FastifyPluginAsync } from 'fastify';
import { DemoCoreError } from '../demo-core.error';
import { avatarDataUrl, DemoUser, findDemoUser } from '../users/demo-users';
import { UserParams, userParamsSchema } from './request-schemas';

export interface UserProfile {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly avatarUrl: string;
}

export const usersRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: UserParams }>('/users/:id', { schema: { params: userParamsSchema } }, async (request) => {
    const user = findDemoUser(request.params.id);
    if (user === undefined) throw DemoCoreError.userNotFound(request.params.id);
    return toUserProfile(user);
  });
};

function toUserProfile(user: DemoUser): UserProfile {
  return { id: user.id, displayName: user.displayName, email: user.email, avatarUrl: avatarDataUrl(user) };
}
