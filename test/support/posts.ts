import { expect } from 'chai';
import { api, freshIp } from './app.js';
import { eventually } from './eventually.js';
import { png } from './images.js';
import { bearer, type SignedUp } from './users.js';

export const POSTS = '/api/v1/posts';

export interface Upload {
  bytes: Buffer;
  name: string;
}

/** Creates a post over HTTP (multipart) and returns the response. */
export async function postAs(author: SignedUp, files: Upload[], fields: Record<string, string> = {}) {
  // Each post from an address of its own, as from separate devices: the per-address post budget is another test's.
  let req = (await api()).post(POSTS).set(bearer(author.accessToken)).set('X-Forwarded-For', freshIp());
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) req = req.attach('media', f.bytes, f.name);
  return req;
}

type Agent = Awaited<ReturnType<typeof api>>;

/** Waits until the author sees the post leave `processing` (on the run's app, or another one), and returns it. */
export async function settled(author: SignedUp, postId: string, ms = 30_000, on?: Agent) {
  const agent = on ?? (await api());
  let last: Awaited<ReturnType<Agent['get']>> | undefined;
  await eventually(
    async () => {
      last = await agent.get(`${POSTS}/${postId}`).set(bearer(author.accessToken));
      return last.status === 200 && last.body.post.status !== 'processing';
    },
    ms,
    `post ${postId} to leave processing`,
  );
  return last!.body.post;
}

/** A ready image post of the author's (options: caption, visibility). */
export async function readyPost(author: SignedUp, fields: Record<string, string> = {}) {
  const created = await postAs(author, [{ bytes: await png(), name: 'a.png' }], fields);
  expect(created.status, JSON.stringify(created.body)).to.equal(202);
  const post = await settled(author, created.body.post.id);
  expect(post.status).to.equal('ready');
  return post as { id: string; counters: Record<string, number> };
}

export async function block(blocker: SignedUp, blocked: SignedUp) {
  const res = await (await api()).post(`/api/v1/users/${blocked.id}/block`).set(bearer(blocker.accessToken));
  expect(res.status).to.be.lessThan(300);
}

/** Posts one file through another app (one bound to other storage) and waits for it to be ready. */
export async function readyPostOn(on: Agent, author: SignedUp, file: Upload) {
  const created = await on.post(POSTS).set(bearer(author.accessToken)).attach('media', file.bytes, file.name);
  expect(created.status, JSON.stringify(created.body)).to.equal(202);
  const post = await settled(author, created.body.post.id, 30_000, on);
  expect(post.status, post.failReason).to.equal('ready');
  return post;
}

/** The storage key a signed media link names (`<base>/media/s/<key>?e=&s=`). */
export function mediaKeyOf(link: string): string {
  const { pathname } = new URL(link);
  expect(pathname.startsWith('/media/s/'), link).to.equal(true);
  return pathname.slice('/media/s/'.length);
}

/** Opens a signed media link on an app, as a client would: the body as bytes, redirects not followed. */
export async function openMedia(link: string, on?: Agent, headers: Record<string, string> = {}) {
  const { pathname, search } = new URL(link);
  return (on ?? (await api()))
    .get(pathname + search)
    .set(headers)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}
