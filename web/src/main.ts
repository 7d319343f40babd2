// The Switchyard photo app: one page, no framework. It asks both regions for the application
// state every few seconds (and again before every write), shows it in the banner, sends reads to
// a region that answers and writes to the writable one, and re-targets by itself on a failover.
// How it talks to the regions is region-client.ts, shared with the drills' load generator.
// User text is only ever put in the page with textContent, never parsed as HTML.
import { newId } from '../../shared/photos/ids';
import { NoRegionAnswered, READ_TIMEOUT_MS, RegionClient, STATE_TIMEOUT_MS, WRITE_TIMEOUT_MS } from './region-client';
import { bannerFor, type RegionConfig, type StateView, writeTarget } from './state';

interface AppConfig {
  stage: string;
  regions: RegionConfig[];
  auth: { mode: 'local-dev' } | { mode: 'cognito'; domain: string; clientId: string };
  pollMs?: number;
}

interface Photo {
  id: string;
  title: string;
  ownerId?: string;
  ownerName?: string;
  createdAt?: string;
}

interface Comment {
  id: string;
  text: string;
  authorName?: string;
  authorId: string;
  createdAt: string;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The list read with If-None-Match did not change. */
class NotModified extends Error {}

/** A write that cannot be sent now; the message says why and that the user's input is kept. */
class WriteBlocked extends Error {}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

let config: AppConfig;
let client: RegionClient;
let token: string | null = null;
let view: StateView | null = null;
let lastSeen: Date | null = null;
let openPhotoId: string | null = null;
/** The photo whose DELETE is on its way: its comments are not read meanwhile (they would answer 404). */
let deletingPhotoId: string | null = null;
/** The comment list read in flight, if any: a photo's DELETE waits for it. */
let commentsRead: Promise<unknown> = Promise.resolve();
let lastBannerState: string | null = null;
/** The validator and body of each list last read, for polling with If-None-Match. */
const lists = new Map<string, { etag: string; body: unknown }>();

// --- state ------------------------------------------------------------------------------------

async function refreshState(): Promise<StateView | null> {
  await client.refreshState();
  view = client.view;
  if (view) lastSeen = new Date();
  renderState();
  return view;
}

function renderState(): void {
  const banner = bannerFor(view, lastSeen, new Date());
  const el = $('banner');
  el.className = `banner banner-${banner.tone}`;
  el.dataset.state = banner.state;
  el.dataset.servedBy = view?.servedBy ?? '';
  $('banner-title').textContent = banner.title;
  $('banner-detail').textContent = banner.detail;
  $('banner-technical').textContent = banner.technical;
  // What an earlier write said ("Posted.") is not true of the new situation: clear it.
  if (lastBannerState !== null && lastBannerState !== banner.state) clearStatuses();
  lastBannerState = banner.state;
  const target = writeTarget(view, config.regions);
  $('write-why').textContent = target.ok ? '' : target.why;
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.write')) button.disabled = !target.ok || !token;
}

// --- HTTP ---------------------------------------------------------------------------------------

const authorization = (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** What an answer means for the app: its JSON body, or an ApiError (and a sign-out on a 401). */
async function payloadOf<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  if (res.status === 304) throw new NotModified();
  const payload = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) {
    if (res.status === 401) signOut('Your session ended: please sign in again.');
    throw new ApiError(res.status, payload.code ?? `HTTP_${res.status}`, payload.message ?? `The server answered ${res.status}`);
  }
  return payload as T;
}

/** A read from the preferred region, once more in the other after a network error or a timeout (region-client.ts). */
async function answerOf(path: string, headers: Record<string, string> = {}): Promise<Response> {
  try {
    return (await client.read(path, { headers: { ...authorization(), ...headers } })).response;
  } catch (error) {
    if (error instanceof NoRegionAnswered) throw new ApiError(0, 'UNREACHABLE', 'Neither region can be reached right now.');
    throw error;
  }
}

async function read<T>(path: string): Promise<T> {
  return payloadOf<T>(await answerOf(path));
}

/**
 * A list read for polling: sends the ETag of the copy it has and gets null back when nothing
 * changed (a body-less 304, cheap enough to ask every few seconds). `force` reads it afresh.
 */
async function readList<T>(path: string, force = false): Promise<T | null> {
  const known = force ? undefined : lists.get(path);
  const res = await answerOf(path, known ? { 'if-none-match': known.etag } : {});
  if (res.status === 304 && known) return null;
  const body = await payloadOf<T>(res);
  const etag = res.headers.get('etag');
  if (etag) lists.set(path, { etag, body });
  return body;
}

// --- status lines ---------------------------------------------------------------------------------

const STATUS_IDS = ['upload-status', 'comment-status', 'photo-status'] as const;
const statusTimers = new Map<string, ReturnType<typeof setTimeout>>();

/** A status line; a success clears itself after a while (and on any change of state). */
function setStatus(id: (typeof STATUS_IDS)[number], text: string, transient = false): void {
  const el = $(id);
  el.textContent = text;
  clearTimeout(statusTimers.get(id));
  if (transient && text)
    statusTimers.set(
      id,
      setTimeout(() => (el.textContent = ''), 6000),
    );
}

function clearStatuses(): void {
  for (const id of STATUS_IDS) setStatus(id, '');
}

/**
 * A write: the state is checked again first, the write goes to the writable region with one
 * idempotency key for all attempts (a retry after a failover never creates a second item), and a
 * "wrong region" or network error re-targets and tries again.
 */
async function write<T>(method: string, path: string, body?: unknown): Promise<T> {
  // A ULID made when the action is first tried: the server derives the new item's id (and a
  // comment's place in the order) from it, so a retry anywhere writes the same item.
  const key = newId(new Date());
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const target = writeTarget(await refreshState(), config.regions);
    if (!target.ok) throw new WriteBlocked(target.why);
    try {
      // A region just promoted answers WRITES_RESUMING until the old region's write lease has
      // ended: the client sends it again, same key, at the time it names (region-client.ts).
      const res = await client.write(target.region, path, {
        method,
        idempotencyKey: key,
        headers: { ...authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return await payloadOf<T>(res);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'WRITES_FENCED') {
        await refreshState();
        throw new WriteBlocked('Writes are paused while the application switches regions. Your input is kept; try again in a moment.');
      }
      // Still resuming after the client's bounded wait: say so rather than wait on.
      if (error instanceof ApiError && error.code === 'WRITES_RESUMING')
        throw new WriteBlocked('Saving resumes in a few seconds on the backup site. Your input is kept; try again in a moment.');
      // A region cut off from the quorum takes no writes; the state will name the one that does.
      const retarget = ['WRONG_REGION', 'REGION_ISOLATED', 'WRITE_LEASE_EXPIRED'];
      if (error instanceof ApiError && !retarget.includes(error.code)) throw error;
    }
  }
  throw new WriteBlocked('The application is switching regions. Your input is kept; try again in a moment.');
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

// --- sign-in ------------------------------------------------------------------------------------

function tokenClaims(jwt: string): { sub?: string; name?: string; 'cognito:username'?: string; exp?: number } {
  try {
    return JSON.parse(atob((jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

function me(): string | null {
  return token ? (tokenClaims(token).sub ?? null) : null;
}

function signIn(jwt: string): void {
  const claims = tokenClaims(jwt);
  if (claims.exp && claims.exp * 1000 < Date.now()) {
    signOut('Your session ended: please sign in again.');
    return;
  }
  token = jwt;
  sessionStorage.setItem('switchyard.token', jwt);
  const user = $('user');
  user.textContent = `Signed in as ${claims.name ?? claims['cognito:username'] ?? claims.sub ?? 'you'} `;
  const out = document.createElement('button');
  out.type = 'button';
  out.textContent = 'Sign out';
  out.addEventListener('click', () => signOut(''));
  user.append(out);
  $('signin').hidden = true;
  $('app').hidden = false;
  renderState();
  void loadGallery();
}

function signOut(message: string): void {
  token = null;
  sessionStorage.removeItem('switchyard.token');
  $('user').textContent = '';
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  renderState();
}

async function devSignIn(name: string): Promise<void> {
  const res = await fetch('/__switchyard/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(body.message ?? 'Sign-in failed');
  signIn(body.token);
}

function cognitoSignIn(auth: { domain: string; clientId: string }): void {
  const redirect = `${location.origin}${location.pathname}`;
  location.assign(
    `https://${auth.domain}/login?client_id=${encodeURIComponent(auth.clientId)}&response_type=token&scope=openid+profile&redirect_uri=${encodeURIComponent(redirect)}`,
  );
}

// --- gallery and photo --------------------------------------------------------------------------

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '');

/** The gallery, refreshed when its list changed (or `force`: after one's own upload or delete). */
async function loadGallery(force = false): Promise<void> {
  const status = $('gallery-status');
  try {
    const page = await readList<{ items: Photo[] }>('/photos?limit=24', force);
    if (page === null) return; // unchanged
    const { items } = page;
    const cards = await Promise.all(
      items.map(async (photo) => {
        const detail = await read<{ download: { url: string } }>(`/photos/${photo.id}`).catch(() => null);
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.photoId = photo.id;
        const img = document.createElement('img');
        img.alt = photo.title || 'Untitled photo';
        if (detail) img.src = detail.download.url;
        const caption = document.createElement('span');
        caption.textContent = photo.title || 'Untitled';
        button.append(img, caption);
        button.addEventListener('click', () => void openPhoto(photo.id));
        li.append(button);
        return li;
      }),
    );
    $('gallery').replaceChildren(...cards);
    status.textContent = items.length === 0 ? 'No photos yet: upload the first one.' : '';
  } catch (error) {
    // Keep what is already shown.
    status.textContent = `Could not refresh the gallery: ${messageOf(error)}`;
  }
}

async function openPhoto(photoId: string): Promise<void> {
  openPhotoId = photoId;
  $('gallery-section').hidden = true;
  $('upload').hidden = true;
  $('photo').hidden = false;
  setStatus('comment-status', '');
  setStatus('photo-status', '');
  // Nothing from the previously opened photo may show while this one loads.
  $('photo-title').textContent = 'Loading…';
  $('photo-meta').textContent = '';
  $('photo-delete').hidden = true;
  $<HTMLImageElement>('photo-image').removeAttribute('src');
  $('comments').replaceChildren();
  try {
    const { photo, download } = await read<{ photo: Photo; download: { url: string } }>(`/photos/${photoId}`);
    $('photo-title').textContent = photo.title || 'Untitled';
    $('photo-meta').textContent =
      `Uploaded by ${photo.ownerName ?? photo.ownerId ?? 'someone'}${photo.createdAt ? `, ${when(photo.createdAt)}` : ''}`;
    $('photo-delete').hidden = !photo.ownerId || photo.ownerId !== me();
    const img = $<HTMLImageElement>('photo-image');
    img.alt = photo.title || 'Untitled photo';
    img.src = download.url;
  } catch (error) {
    $('photo-title').textContent = `Could not load this photo: ${messageOf(error)}`;
  }
  await loadComments(true);
  $('photo-title').focus?.();
}

/** The open photo's comments, refreshed when they changed (or `force`). */
async function loadComments(force = false): Promise<void> {
  const photoId = openPhotoId;
  if (!photoId || photoId === deletingPhotoId) return;
  try {
    const read = readList<{ items: Comment[] }>(`/photos/${photoId}/comments?limit=100`, force);
    commentsRead = read.catch(() => undefined);
    const page = await read;
    if (page === null || photoId !== openPhotoId) return;
    const mine = me();
    $('comments').replaceChildren(
      ...page.items.map((c) => {
        const li = document.createElement('li');
        li.dataset.commentId = c.id;
        const text = document.createElement('p');
        text.className = 'text';
        text.textContent = c.text;
        const by = document.createElement('span');
        by.className = 'by';
        by.textContent = `${c.authorName ?? c.authorId}, ${when(c.createdAt)}`;
        li.append(text, by);
        if (mine && c.authorId === mine) {
          const remove = document.createElement('button');
          remove.type = 'button';
          remove.className = 'write delete';
          remove.textContent = 'Delete';
          remove.setAttribute('aria-label', 'Delete this comment');
          remove.setAttribute('aria-describedby', 'write-why');
          remove.addEventListener('click', () => void deleteComment(photoId, c.id));
          li.append(' ', remove);
        }
        return li;
      }),
    );
    $('comments-status').textContent = page.items.length === 0 ? 'No comments yet.' : '';
    renderState(); // the new Delete buttons follow the write gate
  } catch (error) {
    $('comments-status').textContent = `Could not refresh the comments: ${messageOf(error)}`;
  }
}

function closePhoto(): void {
  openPhotoId = null;
  $('photo').hidden = true;
  $('gallery-section').hidden = false;
  $('upload').hidden = false;
  void loadGallery();
}

/** Live refresh: whatever is on screen, cheaply (If-None-Match), while signed in. */
function pollLists(): void {
  if (!token || document.hidden) return;
  if (openPhotoId) void loadComments();
  else void loadGallery();
}

// --- writes -------------------------------------------------------------------------------------

async function postComment(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const textarea = $<HTMLTextAreaElement>('comment-text');
  const photoId = openPhotoId;
  if (!photoId || textarea.value.trim() === '') return;
  setStatus('comment-status', 'Posting…');
  try {
    await write(`POST`, `/photos/${photoId}/comments`, { text: textarea.value });
    textarea.value = '';
    setStatus('comment-status', 'Posted.', true);
    await loadComments(true);
  } catch (error) {
    setStatus('comment-status', messageOf(error));
  }
}

async function deleteComment(photoId: string, commentId: string): Promise<void> {
  if (!confirm('Delete this comment? This cannot be undone.')) return;
  setStatus('comment-status', 'Deleting…');
  try {
    await write('DELETE', `/photos/${photoId}/comments/${commentId}`);
    setStatus('comment-status', 'Comment deleted.', true);
    await loadComments(true);
  } catch (error) {
    setStatus('comment-status', messageOf(error));
  }
}

async function deletePhoto(): Promise<void> {
  const photoId = openPhotoId;
  if (!photoId || !confirm('Delete this photo and its comments? This cannot be undone.')) return;
  setStatus('photo-status', 'Deleting…');
  // No read of its comments may cross the DELETE: one that arrived after it would answer 404.
  deletingPhotoId = photoId;
  try {
    await commentsRead;
    await write('DELETE', `/photos/${photoId}`);
    closePhoto();
    setStatus('upload-status', 'Photo deleted.', true);
    await loadGallery(true);
  } catch (error) {
    setStatus('photo-status', messageOf(error));
  } finally {
    deletingPhotoId = null;
  }
}

async function upload(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const file = $<HTMLInputElement>('upload-file').files?.[0];
  if (!file) return;
  setStatus('upload-status', `Uploading ${file.name}…`);
  try {
    const created = await write<{ photo: Photo; upload: { url: string; method?: string; headers: Record<string, string> } }>(
      'POST',
      '/photos',
      {
        contentType: file.type,
        size: file.size,
        title: $<HTMLInputElement>('upload-title').value,
      },
    );
    const put = await fetch(created.upload.url, { method: created.upload.method ?? 'PUT', headers: created.upload.headers, body: file });
    if (!put.ok) throw new Error(`The upload to storage failed (${put.status}); try again.`);
    await write('POST', `/photos/${created.photo.id}/complete`);
    setStatus('upload-status', `Uploaded "${created.photo.title || file.name}".`, true);
    $<HTMLFormElement>('upload-form').reset();
    await loadGallery(true);
  } catch (error) {
    setStatus('upload-status', messageOf(error));
  }
}

// --- start --------------------------------------------------------------------------------------

async function start(): Promise<void> {
  config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as AppConfig;
  client = new RegionClient({
    regions: config.regions,
    fetch: (url, init) => fetch(url, init),
    stateTimeoutMs: STATE_TIMEOUT_MS,
    // Two read attempts stay within the 8 s one attempt had before the second region was tried.
    readTimeoutMs: READ_TIMEOUT_MS,
    writeTimeoutMs: WRITE_TIMEOUT_MS,
  });
  $<HTMLFormElement>('comment-form').addEventListener('submit', (e) => void postComment(e));
  $<HTMLFormElement>('upload-form').addEventListener('submit', (e) => void upload(e));
  $('photo-close').addEventListener('click', closePhoto);
  $('photo-delete').addEventListener('click', () => void deletePhoto());
  $<HTMLFormElement>('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (config.auth.mode === 'cognito') {
      cognitoSignIn(config.auth);
      return;
    }
    devSignIn($<HTMLInputElement>('signin-name').value).catch((error) => {
      $('signin-error').textContent = messageOf(error);
    });
  });
  $('signin-note').textContent =
    config.auth.mode === 'local-dev'
      ? 'Local development sign-in: any name works, no password (the local runtime only).'
      : 'You will be sent to the sign-in page and back.';
  if (config.auth.mode === 'cognito') {
    const name = $<HTMLInputElement>('signin-name');
    name.required = false;
    name.hidden = true;
    document.querySelector<HTMLLabelElement>('label[for="signin-name"]')?.setAttribute('hidden', '');
  }

  await refreshState();
  setInterval(() => void refreshState(), config.pollMs ?? 2000);
  setInterval(pollLists, config.pollMs ?? 2000);
  const fromRedirect = new URLSearchParams(location.hash.slice(1)).get('id_token');
  if (fromRedirect) history.replaceState(null, '', location.pathname);
  const saved = fromRedirect ?? sessionStorage.getItem('switchyard.token');
  if (saved) signIn(saved);
  else signOut('');
}

start().catch((error) => {
  $('banner-title').textContent = 'The app could not start';
  $('banner-detail').textContent = messageOf(error);
});
