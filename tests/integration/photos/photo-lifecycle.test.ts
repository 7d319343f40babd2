import { call, IMAGES, PRIMARY, uploadPhoto, usePrimaryPhotoRoutes } from './harness';

describe('photo and comment lifecycle (real handlers, DynamoDB Local, s3rver)', () => {
  const stack = usePrimaryPhotoRoutes();

  it('upload → list → get → comment → list → delete', async () => {
    // Prepare / Act: upload through a presigned PUT, then complete
    const { id, created, completed } = await uploadPhoto(stack.routes, { user: 'alice', contentType: 'image/png', title: '  Sunset  ' });

    // Assess: pending until completed, then listed
    expect(created.body.photo).toEqual(expect.objectContaining({ id, status: 'pending', ownerId: 'alice', title: 'Sunset' }));
    expect(created.body.upload).toEqual(expect.objectContaining({ method: 'PUT', headers: { 'Content-Type': 'image/png' } }));
    expect(completed.status).toBe(200);
    expect(completed.body.photo).toEqual(expect.objectContaining({ id, status: 'ready', size: IMAGES['image/png'].length }));

    const list = await call(stack.routes.listPhotos, { method: 'GET', route: '/photos', user: 'bob' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([id]);
    expect(list.body.nextCursor).toBeNull();

    const got = await call(stack.routes.getPhoto, {
      method: 'GET',
      route: '/photos/{photoId}',
      pathParameters: { photoId: id },
      user: 'bob',
    });
    expect(got.status).toBe(200);
    const download = await fetch(got.body.download.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(IMAGES['image/png'])).toBe(true);

    // Comments: HTML and unicode are plain text, stored and returned verbatim
    const texts = ['<b>nice</b> <script>alert(1)</script>', '  写真 👍🏽 café\r\nsecond line  '];
    const added = [];
    for (const text of texts) {
      const answer = await call(stack.routes.addComment, {
        method: 'POST',
        route: '/photos/{photoId}/comments',
        pathParameters: { photoId: id },
        user: 'bob',
        body: { text },
      });
      expect(answer.status).toBe(201);
      added.push(answer.body);
    }
    expect(added.map((c) => c.text)).toEqual(['<b>nice</b> <script>alert(1)</script>', '写真 👍🏽 café\nsecond line']);

    const comments = await call(stack.routes.listComments, {
      method: 'GET',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId: id },
    });
    expect(comments.status).toBe(200);
    expect(comments.body.items.map((c: { id: string }) => c.id)).toEqual(added.map((c) => c.id));
    expect(comments.body.items[0]).toEqual(expect.objectContaining({ authorId: 'bob', photoId: id }));

    const deletedComment = await call(stack.routes.deleteComment, {
      method: 'DELETE',
      route: '/photos/{photoId}/comments/{commentId}',
      pathParameters: { photoId: id, commentId: added[0].id },
      user: 'bob',
    });
    expect(deletedComment.status).toBe(204);

    const deleted = await call(stack.routes.deletePhoto, {
      method: 'DELETE',
      route: '/photos/{photoId}',
      pathParameters: { photoId: id },
      user: 'alice',
    });
    expect(deleted.status).toBe(204);

    // Assess: nothing of the photo is left - not listed, not served, no bytes, no comments
    const after = await stack.env.snapshot();
    expect(after.photos).toEqual([]);
    expect(after.comments).toEqual([]);
    expect(after.objects).toEqual([]);
    // Each delete left a tombstone, and every write its journal entry.
    expect(after.tombstones.map((t) => t.pk)).toEqual(expect.arrayContaining([`TOMBSTONE#PHOTO#${id}`]));
    expect(after.tombstones.filter((t) => t.pk === `TOMBSTONE#PHOTO#${id}`).map((t) => t.sk)).toEqual(
      expect.arrayContaining(['PHOTO', `COMMENT#${added[0].id}`]),
    );
    expect(after.journal.filter((j) => (j.item as { pk: string }).pk === `PHOTO#${id}` && j.op === 'delete').length).toBeGreaterThan(0);
    const gone = await call(stack.routes.getPhoto, { method: 'GET', route: '/photos/{photoId}', pathParameters: { photoId: id } });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('PHOTO_NOT_FOUND');
  });

  it.each(Object.keys(IMAGES) as Array<keyof typeof IMAGES>)('accepts a %s upload checked by its bytes', async (contentType) => {
    // Act
    const { id, completed } = await uploadPhoto(stack.routes, { contentType });

    // Assess: listed, and served from the checked copy only
    expect(completed.body.photo).toEqual(expect.objectContaining({ id, contentType, status: 'ready' }));
    const objects = (await stack.env.snapshot()).objects.filter((key) => key.endsWith(id));
    expect(objects).toEqual([`switchyard-dev-photos-${PRIMARY}-000000000000/photos/${id}`]);
  });
});
