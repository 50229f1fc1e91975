import { launchLinksOf } from './launch-links';

const permissions = { read: true, write: true, rename: true, delete: false, createSibling: true, share: true };

describe('launchLinksOf', () => {
  it('keeps the http(s) pages of the core app', () => {
    expect(
      launchLinksOf({
        permissions,
        urls: {
          share: 'https://core.example/f/1#share',
          versions: 'http://core.example/f/1#versions',
          edit: 'https://core.example/f/1?action=edit',
          view: 'https://core.example/f/1',
        },
      }),
    ).toEqual({
      share: 'https://core.example/f/1#share',
      versions: 'http://core.example/f/1#versions',
      edit: 'https://core.example/f/1?action=edit',
    });
  });

  it('drops anything a browser would run or cannot navigate to', () => {
    expect(
      launchLinksOf({
        permissions,
        urls: {
          share: 'javascript:alert(document.cookie)',
          versions: 'data:text/html,<script>x</script>',
          edit: '/relative',
        },
      }),
    ).toEqual({});
  });

  it('offers sharing only to users the core app lets share', () => {
    expect(
      launchLinksOf({ permissions: { ...permissions, share: false }, urls: { share: 'https://core.example/s' } }),
    ).toEqual({});
    expect(launchLinksOf({ permissions })).toEqual({});
  });
});
