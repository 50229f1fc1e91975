// JSON schemas for Fastify's validator; a failure becomes a 400 bad_request.

const text = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const refParamsSchema = {
  type: 'object',
  required: ['ref'],
  properties: { ref: text },
} as const;

export interface RefParams {
  ref: string;
}

export const userQuerySchema = {
  type: 'object',
  required: ['userId'],
  properties: { userId: text },
} as const;

export interface UserQuery {
  userId: string;
}

// Names are checked by validateFileName (400 invalid_name with a reason), not here: the schema
// only keeps absurd input out. 1024 leaves room for 255 characters of any script.
const fileName = { type: 'string', maxLength: 1024 } as const;

export const siblingQuerySchema = {
  type: 'object',
  required: ['userId', 'name'],
  properties: { userId: text, name: fileName },
} as const;

export interface SiblingQuery {
  userId: string;
  name: string;
}

export const createSiblingQuerySchema = {
  type: 'object',
  required: ['userId', 'name'],
  properties: {
    userId: text,
    name: fileName,
    onConflict: { type: 'string', enum: ['fail', 'overwrite', 'rename'], default: 'fail' },
  },
} as const;

export interface CreateSiblingQuery {
  userId: string;
  name: string;
  onConflict: 'fail' | 'overwrite' | 'rename';
}

export const renameBodySchema = {
  type: 'object',
  required: ['name'],
  properties: { name: fileName },
} as const;

export interface RenameBody {
  name: string;
}

export const userParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: text },
} as const;

export interface UserParams {
  id: string;
}
