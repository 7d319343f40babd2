// The list routes answer an unchanged page with a body-less 304, so the web app can poll them
// every few seconds (If-None-Match) and pay only for what changed.
import { call, uploadPhoto, usePrimaryPhotoRoutes } from './harness';

describe('ETags on the list routes', () => {
  const stack = usePrimaryPhotoRoutes();

  const photos = (headers: Record<string, string> = {}) =>
    call(stack.routes.listPhotos, { method: 'GET', route: '/photos', query: { limit: '24' }, headers });
  const comments = (photoId: string, headers: Record<string, string> = {}) =>
    call(stack.routes.listComments, { method: 'GET', route: '/photos/{photoId}/comments', pathParameters: { photoId }, headers });

  it('GET /photos: 304 while nothing changed, 200 with a new ETag once a photo is added', async () => {
    // Prepare
    await uploadPhoto(stack.routes, { title: 'first' });
    const first = await photos();
    const etag = first.headers.etag as string;
    // Act
    const unchanged = await photos({ 'if-none-match': etag });
    await uploadPhoto(stack.routes, { title: 'second' });
    const changed = await photos({ 'if-none-match': etag });
    // Assess
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(unchanged).toMatchObject({ status: 304, body: undefined, headers: { etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.items.map((p: { title: string }) => p.title)).toEqual(['second', 'first']);
  });

  it('GET /photos/{id}/comments: 304 while nothing changed, 200 after a comment and after its delete', async () => {
    // Prepare
    const photo = await uploadPhoto(stack.routes, { title: 'commented' });
    const empty = await comments(photo.id);
    // Act
    const unchanged = await comments(photo.id, { 'if-none-match': empty.headers.etag as string });
    const added = await call(stack.routes.addComment, {
      method: 'POST',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId: photo.id },
      body: { text: 'nice 🌅' },
      headers: { 'idempotency-key': 'etag-comment-1' },
    });
    const afterAdd = await comments(photo.id, { 'if-none-match': empty.headers.etag as string });
    const commentId = added.body.comment?.id ?? added.body.id;
    const deleted = await call(stack.routes.deleteComment, {
      method: 'DELETE',
      route: '/photos/{photoId}/comments/{commentId}',
      pathParameters: { photoId: photo.id, commentId },
      headers: { 'idempotency-key': 'etag-comment-delete-1' },
    });
    const afterDelete = await comments(photo.id, { 'if-none-match': afterAdd.headers.etag as string });
    // Assess
    expect(unchanged.status).toBe(304);
    expect(added.status).toBe(201);
    expect(afterAdd.status).toBe(200);
    expect(afterAdd.body.items.map((c: { text: string }) => c.text)).toEqual(['nice 🌅']);
    expect(deleted.status).toBe(204);
    expect(afterDelete.status).toBe(200);
    expect(afterDelete.body.items).toEqual([]);
    // The empty list is the same representation as before the comment: its validator is too.
    expect(afterDelete.headers.etag).toBe(empty.headers.etag);
  });
});
