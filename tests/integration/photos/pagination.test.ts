import { call, uploadPhoto, usePrimaryPhotoRoutes } from './harness';

describe('photo list pagination', () => {
  const stack = usePrimaryPhotoRoutes();

  const page = (cursor?: string) =>
    call(stack.routes.listPhotos, { method: 'GET', route: '/photos', query: { limit: '3', ...(cursor ? { cursor } : {}) } });

  it('pages newest first with no duplicates and no skips while photos are added concurrently', async () => {
    // Prepare: 8 listed photos (uploaded one after the other, so their order is known)
    const existing: string[] = [];
    for (let i = 0; i < 8; i += 1) existing.push((await uploadPhoto(stack.routes, { title: `existing ${i}` })).id);

    // Act: page through, uploading a new photo at the same time as every page is read
    const seen: Array<{ id: string; listedAt: string }> = [];
    const added: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const [answer, upload] = await Promise.all([page(cursor), uploadPhoto(stack.routes, { title: `added during page ${pages}` })]);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items);
      added.push(upload.id);
      cursor = answer.body.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 20);

    // Assess: every photo that existed before paging started, exactly once, newest first
    const ids = seen.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const existingSeen = ids.filter((id) => existing.includes(id));
    expect(existingSeen).toEqual([...existing].reverse());
    const times = seen.map((p) => `${p.listedAt}#${p.id}`);
    expect(times).toEqual([...times].sort().reverse());
    // Photos added while paging are newer than the first page's cursor: they belong before it, not in later pages.
    expect(ids.filter((id) => added.includes(id)).length).toBeLessThanOrEqual(1);
  });

  it('reports the last page with a null cursor and never an empty page', async () => {
    // Prepare: whatever the previous test left; count it
    const all = await call(stack.routes.listPhotos, { method: 'GET', route: '/photos', query: { limit: '100' } });
    const total = all.body.items.length as number;

    // Act
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const answer = await page(cursor);
      sizes.push(answer.body.items.length);
      cursor = answer.body.nextCursor ?? undefined;
    } while (cursor);

    // Assess
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
    expect(sizes).not.toContain(0);
    expect(sizes.slice(0, -1).every((size) => size === 3)).toBe(true);
  });
});
