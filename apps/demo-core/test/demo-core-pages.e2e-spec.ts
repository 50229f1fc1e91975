/**
 * demo-core's signed-in pages over real HTTP: sign-in, upload of any file type, and a share that
 * changes the permissions the contract API answers the gateway for the user it was shared with.
 */
import { DEMO_PASSWORD, SESSION_COOKIE } from '../src/pages/page-session';
import { makeDataDir, removeDataDir, RunningDemoCore, startDemoCore } from './demo-core-harness';

describe('demo-core pages', () => {
  let dataDir: string;
  let core: RunningDemoCore;

  beforeAll(async () => {
    dataDir = await makeDataDir();
    core = await startDemoCore(dataDir);
  });

  afterAll(async () => {
    await core?.close();
    if (dataDir) await removeDataDir(dataDir);
  });

  async function signIn(user: string, password = DEMO_PASSWORD): Promise<Response> {
    return fetch(`${core.baseUrl}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user, password }).toString(),
      redirect: 'manual',
    });
  }

  async function cookieOf(user: string): Promise<string> {
    const response = await signIn(user);
    expect(response.status).toBe(303);
    const cookie = /^([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=${user}\\.`));
    return cookie!;
  }

  async function upload(cookie: string, name: string, bytes: Buffer): Promise<Response> {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    return fetch(`${core.baseUrl}/files`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' });
  }

  async function listing(cookie: string): Promise<string> {
    const response = await fetch(`${core.baseUrl}/files`, { headers: { cookie }, redirect: 'manual' });
    expect(response.status).toBe(200);
    return response.text();
  }

  async function refOf(cookie: string, name: string): Promise<string> {
    const ref = new RegExp(`data-file="${name.replace(/\./g, '\\.')}" data-ref="([^"]+)"`).exec(await listing(cookie));
    expect(ref).not.toBeNull();
    return ref![1];
  }

  it('shows the accounts and the demo password on the front page, and refuses a wrong password', async () => {
    const front = await fetch(`${core.baseUrl}/`);
    expect(front.status).toBe(200);
    const page = await front.text();
    expect(page).toContain(`<code>${DEMO_PASSWORD}</code>`);
    expect(page).toContain('alice');
    expect(page).toContain('bob');
    expect((await signIn('alice', 'wrong')).status).toBe(401);
    expect((await signIn('mallory')).status).toBe(401);
    // Not signed in (or a forged cookie): back to the sign-in page.
    const forged = await fetch(`${core.baseUrl}/files`, {
      headers: { cookie: `${SESSION_COOKIE}=alice.99999999999999.forged` },
      redirect: 'manual',
    });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('/');
  });

  it('uploads any file type, private to its owner until shared; sharing changes the contract permissions', async () => {
    const alice = await cookieOf('alice');
    const bob = await cookieOf('bob');
    const bytes = Buffer.from('validator content');
    expect((await upload(alice, 'mine.wopitestx', bytes)).status).toBe(303);
    expect((await upload(alice, 'notes.bin', Buffer.from([0, 1, 2, 255]))).status).toBe(303);
    const ref = await refOf(alice, 'mine.wopitestx');
    expect(await listing(bob)).not.toContain('mine.wopitestx');

    const content = await core.request(`/core/v1/files/${ref}/content?userId=alice`);
    expect(Buffer.from(await content.arrayBuffer())).toEqual(bytes);
    expect((await core.request(`/core/v1/files/${ref}?userId=bob`)).status).toBe(403);

    const share = async (user: string, role: string) =>
      fetch(`${core.baseUrl}/files/${ref}/share`, {
        method: 'POST',
        headers: { cookie: alice, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user, role }).toString(),
        redirect: 'manual',
      });
    expect((await share('bob', 'viewer')).status).toBe(303);
    const asViewer = await core.request(`/core/v1/files/${ref}?userId=bob`);
    expect(asViewer.status).toBe(200);
    expect(((await asViewer.json()) as { permissions: { read: boolean; write: boolean } }).permissions).toMatchObject({
      read: true,
      write: false,
    });
    expect((await share('bob', 'editor')).status).toBe(303);
    const asEditor = (await (await core.request(`/core/v1/files/${ref}?userId=bob`)).json()) as {
      permissions: { write: boolean; delete: boolean };
    };
    expect(asEditor.permissions).toMatchObject({ write: true, delete: false });
    expect(await listing(bob)).toContain('mine.wopitestx');

    // The share survives a restart (it is on disk), and can be taken back.
    await core.close();
    core = await startDemoCore(dataDir);
    expect((await core.request(`/core/v1/files/${ref}?userId=bob`)).status).toBe(200);
    expect((await share('bob', 'none')).status).toBe(303);
    expect((await core.request(`/core/v1/files/${ref}?userId=bob`)).status).toBe(403);
  });

  it('adds a share to the workspace role on a sample document, without taking anyone else’s access', async () => {
    const alice = await cookieOf('alice');
    const ref = await refOf(alice, 'Welcome.docx');
    const carolBefore = (await (await core.request(`/core/v1/files/${ref}?userId=carol`)).json()) as {
      permissions: { write: boolean };
    };
    expect(carolBefore.permissions.write).toBe(false);
    const shared = await fetch(`${core.baseUrl}/files/${ref}/share`, {
      method: 'POST',
      headers: { cookie: alice, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'carol', role: 'editor' }).toString(),
      redirect: 'manual',
    });
    expect(shared.status).toBe(303);
    const carol = (await (await core.request(`/core/v1/files/${ref}?userId=carol`)).json()) as {
      permissions: { write: boolean };
    };
    expect(carol.permissions.write).toBe(true);
    expect((await core.request(`/core/v1/files/${ref}?userId=bob`)).status).toBe(200);
    expect((await core.request(`/core/v1/files/${ref}?userId=dave`)).status).toBe(403);
  });

  it('answers 413 for an upload over the size limit and keeps nothing of it', async () => {
    const smallDir = await makeDataDir();
    const small = await startDemoCore(smallDir, { maxUploadBytes: 16 });
    try {
      const signedIn = await fetch(`${small.baseUrl}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: 'bob', password: DEMO_PASSWORD }).toString(),
        redirect: 'manual',
      });
      const cookie = /^([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')![1];
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(1000, 1)]), 'big.bin');
      const response = await fetch(`${small.baseUrl}/files`, { method: 'POST', headers: { cookie }, body: form });
      expect(response.status).toBe(413);
      const list = await fetch(`${small.baseUrl}/files`, { headers: { cookie } });
      expect(await list.text()).not.toContain('big.bin');
    } finally {
      await small.close();
      await removeDataDir(smallDir);
    }
  });

  it('refuses a share by a user without the share permission', async () => {
    const carol = await cookieOf('carol');
    const alice = await cookieOf('alice');
    const ref = await refOf(alice, 'Budget.xlsx');
    const response = await fetch(`${core.baseUrl}/files/${ref}/share`, {
      method: 'POST',
      headers: { cookie: carol, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'dave', role: 'editor' }).toString(),
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect((await core.request(`/core/v1/files/${ref}?userId=dave`)).status).toBe(403);
  });
});
