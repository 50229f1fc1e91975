import { DemoRole } from './file-permissions';

export interface DemoUser {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly role: DemoRole;
  /** Background of the generated avatar, so users are told apart in co-authoring. */
  readonly colour: string;
}

/** The whole user directory of demo-core. IDs are stable; the gateway prefixes them per tenant. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'alice',
    displayName: 'Alice Anderson',
    email: 'alice@demo-core.example',
    role: DemoRole.Manager,
    colour: '#2b579a',
  },
  { id: 'bob', displayName: 'Bob Brown', email: 'bob@demo-core.example', role: DemoRole.Editor, colour: '#217346' },
  {
    id: 'carol',
    displayName: 'Carol Chen',
    email: 'carol@demo-core.example',
    role: DemoRole.Viewer,
    colour: '#b7472a',
  },
  {
    id: 'dave',
    displayName: 'Dave Davis',
    email: 'dave@demo-core.example',
    role: DemoRole.NoAccess,
    colour: '#6b6b6b',
  },
];

/** Owner of every seeded sample document. */
export const SAMPLE_OWNER_ID = 'alice';

const USERS_BY_ID = new Map(DEMO_USERS.map((user) => [user.id, user]));

export function findDemoUser(id: string): DemoUser | undefined {
  return USERS_BY_ID.get(id);
}

/**
 * A self-contained SVG avatar with the user's initials. A data: URL needs no route, no
 * authentication and no network access from the editor's browser.
 */
export function avatarDataUrl(user: DemoUser): string {
  const initials = user.displayName
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
    `<circle cx="32" cy="32" r="32" fill="${user.colour}"/>` +
    '<text x="32" y="41" font-family="Arial,sans-serif" font-size="26" fill="#fff" text-anchor="middle">' +
    `${initials}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
