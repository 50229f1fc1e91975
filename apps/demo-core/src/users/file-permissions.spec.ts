import { DEMO_USERS, findDemoUser, SAMPLE_OWNER_ID } from './demo-users';
import { DemoRole, FilePermissions, permissionsFor, ROLE_PERMISSIONS } from './file-permissions';

const OTHER_OWNER = 'someone-else';

function user(id: string) {
  const found = findDemoUser(id);
  if (!found) throw new Error(`no demo user ${id}`);
  return found;
}

describe('permissionsFor', () => {
  it.each<[string, FilePermissions]>([
    ['alice', { read: true, write: true, rename: true, delete: true, createSibling: true, share: true }],
    ['bob', { read: true, write: true, rename: true, delete: false, createSibling: true, share: true }],
    ['carol', { read: true, write: false, rename: false, delete: false, createSibling: false, share: false }],
    ['dave', { read: false, write: false, rename: false, delete: false, createSibling: false, share: false }],
  ])('gives %s the documented permissions on a sample document', (id, expected) => {
    expect(permissionsFor(user(id), SAMPLE_OWNER_ID)).toEqual(expected);
  });

  it('gives an owner every permission whatever their role', () => {
    expect(Object.values(permissionsFor(user('carol'), 'carol')).every(Boolean)).toBe(true);
  });

  it('falls back to the role on documents owned by someone else', () => {
    expect(permissionsFor(user('alice'), OTHER_OWNER)).toEqual(ROLE_PERMISSIONS[DemoRole.Manager]);
    expect(permissionsFor(user('bob'), OTHER_OWNER).delete).toBe(false);
  });

  it('gives an unknown user nothing', () => {
    expect(Object.values(permissionsFor(undefined, SAMPLE_OWNER_ID)).some(Boolean)).toBe(false);
  });

  it('never grants anything without read', () => {
    const withoutRead = Object.values(ROLE_PERMISSIONS).filter((permissions) => !permissions.read);
    expect(withoutRead.length).toBeGreaterThan(0);
    expect(withoutRead.filter((permissions) => Object.values(permissions).some(Boolean))).toEqual([]);
  });
});

describe('DEMO_USERS', () => {
  it('has unique ids and one role per user', () => {
    expect(new Set(DEMO_USERS.map((u) => u.id)).size).toBe(DEMO_USERS.length);
    expect(DEMO_USERS.map((u) => [u.id, u.role])).toEqual([
      ['alice', DemoRole.Manager],
      ['bob', DemoRole.Editor],
      ['carol', DemoRole.Viewer],
      ['dave', DemoRole.NoAccess],
    ]);
  });
});
