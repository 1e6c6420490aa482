import { expect } from 'chai';
import { Bookmark } from '../models/bookmark.model.js';
import { Comment } from '../models/comment.model.js';
import { PostLike } from '../models/post-like.model.js';
import { Post } from '../models/post.model.js';
import { User } from '../models/user.model.js';
import { HourStat } from '../models/hour-stat.model.js';
import { config } from '../config/index.js';
import { detectViralPosts } from '../services/feeds/signals.service.js';
import { repairPostCounters } from '../services/posts/counters.js';
import { api } from './support/app.js';
import { nextEvent, useSocketServer, clientId } from './support/chat.js';
import { connect } from './support/connections.js';
import { png } from './support/images.js';
import { expectDocumented } from './support/openapi.js';
import { readingOf, uploadCheckRefusal } from './support/upload-check.js';
import { block, POSTS, readyPost } from './support/posts.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const counters = async (postId: string) => (await Post.findById(postId, { counters: 1 }).lean())!.counters!;
const today = () => new Date().toISOString().slice(0, 10);

describe('engagement: likes, comments, views, shares, bookmarks', function () {
  this.timeout(60_000);
  const devices = useSocketServer();

  it('50 people liking at once leave a counter equal to the likes stored; a like toggles', async () => {
    const author = await signupUser();
    const post = await readyPost(author);
    const authorSocket = await devices.connect(author);
    const heard = nextEvent(authorSocket, 'post:counters', (p) => p.postId === post.id, 10_000);
    const fans = await Promise.all(Array.from({ length: 50 }, () => signupUser()));
    const results = await Promise.all(fans.map(async (f) => (await api()).post(`${POSTS}/${post.id}/like`).set(as(f))));
    expect(results.every((r) => r.status === 200 && r.body.changed === true)).to.equal(true);
    expectDocumented(results[0]!, 'post', `${POSTS}/{id}/like`);
    expect((await counters(post.id)).likes).to.equal(50);
    expect(await PostLike.countDocuments({ postId: post.id })).to.equal(50);
    expect((await heard).counters.likes).to.be.greaterThan(0);

    // The same person again, twice at once: still one like.
    const twice = await Promise.all([0, 1].map(async () => (await api()).post(`${POSTS}/${post.id}/like`).set(as(fans[0]!))));
    expect(twice.map((r) => r.body.changed).filter(Boolean)).to.have.length(0);
    const off = await (await api()).delete(`${POSTS}/${post.id}/like`).set(as(fans[0]!));
    expect(off.body).to.deep.equal({ liked: false, changed: true });
    const offAgain = await (await api()).delete(`${POSTS}/${post.id}/like`).set(as(fans[0]!));
    expect(offAgain.body.changed).to.equal(false);
    expect((await counters(post.id)).likes).to.equal(49);
    const likers = await (await api()).get(`${POSTS}/${post.id}/likes?limit=100`).set(as(author));
    expectDocumented(likers, 'get', `${POSTS}/{id}/likes`);
    expect(likers.body.items).to.have.length(49);
  });

  it('threads comments to any depth, tells the people @mentioned, and counts them', async () => {
    const author = await signupUser();
    const ann = await signupUser();
    const bob = await signupUser();
    const post = await readyPost(author);
    const bobSocket = await devices.connect(bob);
    const mentioned = nextEvent(bobSocket, 'post:mentioned', () => true, 10_000);
    const top = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(ann))
      .send({ text: `what do you think @${bob.input.username}?` });
    expect(top.status, JSON.stringify(top.body)).to.equal(201);
    expectDocumented(top, 'post', `${POSTS}/{id}/comments`);
    expect(top.body.comment.mentions).to.deep.equal([bob.id]);
    expect((await mentioned).by.username).to.equal(ann.input.username);

    const reply = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(bob))
      .send({ text: 'love it', parentId: top.body.comment.id });
    const deeper = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(author))
      .field('text', 'thanks both')
      .field('parentId', reply.body.comment.id)
      .attach('image', await png(200, 200), 'smile.png');
    expect(deeper.status, JSON.stringify(deeper.body)).to.equal(201);
    expect(deeper.body.comment.depth).to.equal(2);
    expect(deeper.body.comment.image.urls.full).to.match(/^http/);

    const tops = await (await api()).get(`${POSTS}/${post.id}/comments`).set(as(bob));
    expectDocumented(tops, 'get', `${POSTS}/{id}/comments`);
    expect(tops.body.items.map((c: { id: string }) => c.id)).to.deep.equal([top.body.comment.id]);
    expect(tops.body.items[0].replies).to.equal(1);
    const replies = await (await api()).get(`${POSTS}/${post.id}/comments?parentId=${reply.body.comment.id}`).set(as(ann));
    expect(replies.body.items.map((c: { text: string }) => c.text)).to.deep.equal(['thanks both']);
    expect((await counters(post.id)).comments).to.equal(3);

    const notMine = await (await api()).delete(`${POSTS}/comments/${reply.body.comment.id}`).set(as(ann));
    expect(notMine.status).to.equal(403);
    const byPostAuthor = await (await api()).delete(`${POSTS}/comments/${reply.body.comment.id}`).set(as(author));
    expect(byPostAuthor.status).to.equal(204);
    expect((await counters(post.id)).comments).to.equal(2);
    // Removed with a reply under it, it stays as a placeholder and is still counted under its parent.
    const repliesOf = async (parentId?: string) =>
      (await (await api()).get(`${POSTS}/${post.id}/comments${parentId ? `?parentId=${parentId}` : ''}`).set(as(bob))).body
        .items as { id: string; replies: number }[];
    expect((await repliesOf())[0]!.replies).to.equal(1);
    expect((await repliesOf(top.body.comment.id)).map((c) => c.id)).to.deep.equal([reply.body.comment.id]);
    // Its last reply removed too, nothing of that branch is shown, nor counted.
    expect((await (await api()).delete(`${POSTS}/comments/${deeper.body.comment.id}`).set(as(author))).status).to.equal(204);
    expect(await repliesOf(top.body.comment.id)).to.deep.equal([]);
    expect((await repliesOf())[0]!.replies).to.equal(0);
    // A reply counted before it is stored is uncounted when storing fails (a picture that is none).
    const broken = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(bob))
      .field('text', 'look')
      .field('parentId', top.body.comment.id)
      .attach('image', Buffer.from('not a picture at all'), 'fake.png');
    expect(broken.status).to.be.within(400, 499);
    expect((await repliesOf())[0]!.replies).to.equal(0);
    const missingParent = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(ann))
      .send({ text: 'x', parentId: post.id });
    expect(missingParent.status).to.equal(404);
    const empty = await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(ann)).send({ text: '   ' });
    expect(empty.body.error.code).to.equal('EMPTY_COMMENT');
  });

  it("GET /comments/check (nginx's question before it reads a comment) answers what the comment would hear at its headers", async () => {
    const [author, reader, blocked] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const post = await readyPost(author);
    const forConnections = await readyPost(author, { visibility: 'connections' });
    await block(author, blocked);
    // nginx says the comment's length (its Content-Length) in X-Upload-Length.
    const check = async (who: SignedUp, id = post.id, length = '1000') =>
      (await api()).get(`${POSTS}/${id}/comments/check`).set(as(who)).set('X-Upload-Length', length);
    const refusal = uploadCheckRefusal(`${POSTS}/{id}/comments/check`);
    const allowed = await check(reader);
    expect(allowed.status, JSON.stringify(allowed.body)).to.equal(204);
    expectDocumented(allowed, 'get', `${POSTS}/{id}/comments/check`);
    // A post one may not see (blocked, for connections only) or none at all: what the comment would hear.
    for (const [who, id] of [
      [blocked, post.id],
      [reader, forConnections.id],
      [reader, 'f'.repeat(24)],
    ] as const) {
      expect(refusal(await check(who, id)), id).to.deep.equal([404, 'NOT_FOUND']);
      const sent = await (await api()).post(`${POSTS}/${id}/comments`).set(as(who)).send({ text: 'hello' });
      expect([sent.status, sent.body.error?.code]).to.deep.equal([404, 'NOT_FOUND']);
    }
    expect(refusal(await check(reader, 'nope'))).to.deep.equal([400, 'VALIDATION_FAILED']);
    expect(refusal(await (await api()).get(`${POSTS}/${post.id}/comments/check`).set(as(reader)))).to.deep.equal([
      411,
      'LENGTH_REQUIRED',
    ]);
    // Longer than a picture (and its form's text): refused at its length.
    const largest = config.uploads.maxBytes;
    expect(refusal(await check(reader, post.id, String(largest + 1024 * 1024)))).to.deep.equal([413, 'FILE_TOO_LARGE']);
    // Admitted lengths come from the day's reading of pictures, which photos share; refusals take nothing.
    const reading = (who: SignedUp) => readingOf('pictureReads', who.id);
    expect([await reading(reader), await reading(blocked)]).to.deep.equal([1000, undefined]);
  });

  it("one can always take back one's own comment, like and bookmark, even on a post one may no longer see; nobody else can", async () => {
    const [author, commenter, stranger] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const post = await readyPost(author);
    const client = await api();
    const commented = await client.post(`${POSTS}/${post.id}/comments`).set(as(commenter)).send({ text: 'nice' }).expect(201);
    const commentId: string = commented.body.comment.id;
    await client.post(`${POSTS}/${post.id}/like`).set(as(commenter)).expect(200);
    await client.put(`${POSTS}/${post.id}/bookmark`).set(as(commenter)).send({}).expect(200);
    // The post's author is suspended, then blocks the commenter: the post is gone for them.
    await User.updateOne({ _id: author.id }, { $set: { suspendedUntil: new Date(Date.now() + 3_600_000) } });
    await block(author, commenter);
    expect((await client.get(`${POSTS}/${post.id}`).set(as(commenter))).status).to.equal(404);
    expect((await client.delete(`${POSTS}/comments/${commentId}`).set(as(stranger))).status).to.equal(404);
    expect((await client.delete(`${POSTS}/comments/${commentId}`).set(as(commenter))).status).to.equal(204);
    const stored = await Comment.findById(commentId).lean();
    expect(stored?.deletedAt).to.be.instanceOf(Date);
    expect(stored?.text).to.equal('');
    expect((await counters(post.id)).comments).to.equal(0);
    // Likes and bookmarks: the stranger has none to take back, and learns nothing of the post.
    for (const [method, path] of [
      ['delete', 'like'],
      ['delete', 'bookmark'],
    ] as const) {
      expect((await client[method](`${POSTS}/${post.id}/${path}`).set(as(stranger))).status, path).to.equal(404);
      expect((await client[method](`${POSTS}/${post.id}/${path}`).set(as(commenter))).status, path).to.equal(200);
    }
    expect(await PostLike.exists({ postId: post.id, userId: commenter.id })).to.equal(null);
    expect(await Bookmark.exists({ postId: post.id, userId: commenter.id })).to.equal(null);
    expect(await counters(post.id)).to.include({ likes: 0, bookmarks: 0 });
  });

  it("blocked people never see each other's posts, comments or likes", async () => {
    const author = await signupUser();
    const troll = await signupUser();
    const reader = await signupUser();
    const post = await readyPost(author);
    await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(troll)).send({ text: 'first!' });
    await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(reader)).send({ text: 'nice' });
    await (await api()).post(`${POSTS}/${post.id}/like`).set(as(troll));
    await block(reader, troll);
    const comments = await (await api()).get(`${POSTS}/${post.id}/comments`).set(as(reader));
    expect(comments.body.items.map((c: { text: string }) => c.text)).to.deep.equal(['nice']);
    const likers = await (await api()).get(`${POSTS}/${post.id}/likes`).set(as(reader));
    expect(likers.body.items.map((l: { userId: string }) => l.userId)).to.not.include(troll.id);
    // A page that ends on the troll's like or comment shows neither, and its cursor does not
    // hand out their ids (a comment's would list the replies under it).
    const [trollsLike, trollsComment] = await Promise.all([
      PostLike.findOne({ postId: post.id, userId: troll.id }).lean(),
      Comment.findOne({ postId: post.id, authorId: troll.id }).lean(),
    ]);
    const firstLike = await (await api()).get(`${POSTS}/${post.id}/likes?limit=1`).set(as(reader));
    const firstComment = await (await api()).get(`${POSTS}/${post.id}/comments?limit=1`).set(as(reader));
    expect([firstLike.body.items, firstComment.body.items]).to.deep.equal([[], []]);
    for (const [page, id] of [
      [firstLike, trollsLike!._id],
      [firstComment, trollsComment!._id],
    ] as const) {
      expect(page.body.nextCursor).to.be.a('string').and.not.include(String(id));
    }
    const next = await (
      await api()
    )
      .get(`${POSTS}/${post.id}/comments?limit=1&cursor=${firstComment.body.nextCursor}`)
      .set(as(reader));
    expect(next.body.items.map((c: { text: string }) => c.text)).to.deep.equal(['nice']);
    const forged = await (await api()).get(`${POSTS}/${post.id}/likes?cursor=${String(trollsLike!._id)}`).set(as(reader));
    expect([forged.status, forged.body.error?.code]).to.deep.equal([400, 'INVALID_CURSOR']);
    // The troll cannot reach a post of the person who blocked them.
    const readersPost = await readyPost(reader);
    for (const res of [
      await (await api()).get(`${POSTS}/${readersPost.id}`).set(as(troll)),
      await (await api()).post(`${POSTS}/${readersPost.id}/like`).set(as(troll)),
      await (await api()).post(`${POSTS}/${readersPost.id}/comments`).set(as(troll)).send({ text: 'hi' }),
    ]) {
      expect(res.status).to.equal(404);
    }
    expect((await counters(readersPost.id)).likes).to.equal(0);
  });

  it("counts a view once per viewer per day, never the author's own", async () => {
    const author = await signupUser();
    const viewer = await signupUser();
    const post = await readyPost(author);
    const first = await (await api()).post(`${POSTS}/${post.id}/views`).set(as(viewer));
    expectDocumented(first, 'post', `${POSTS}/{id}/views`);
    expect(first.body.counted).to.equal(true);
    expect((await (await api()).post(`${POSTS}/${post.id}/views`).set(as(viewer))).body.counted).to.equal(false);
    expect((await (await api()).post(`${POSTS}/${post.id}/views`).set(as(author))).body.counted).to.equal(false);
    expect((await counters(post.id)).views).to.equal(1);
  });

  it('shares to the feed once and into a conversation as a message', async () => {
    const author = await signupUser();
    const sharer = await signupUser();
    const friend = await signupUser();
    await connect(sharer, friend);
    const post = await readyPost(author);
    const feed = await (await api()).post(`${POSTS}/${post.id}/shares`).set(as(sharer)).send({ to: 'feed' });
    expect(feed.status).to.equal(201);
    expectDocumented(feed, 'post', `${POSTS}/{id}/shares`);
    expect((await (await api()).post(`${POSTS}/${post.id}/shares`).set(as(sharer)).send({ to: 'feed' })).status).to.equal(200);
    const dm = await (
      await api()
    )
      .post('/api/v1/conversations')
      .set(as(sharer))
      .send({ name: 'pals', memberIds: [friend.id] });
    expect(dm.status, JSON.stringify(dm.body)).to.equal(201);
    const conversationId = dm.body.conversation.id;
    const chat = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/shares`)
      .set(as(sharer))
      .send({ to: 'conversation', conversationId, clientMessageId: clientId() });
    expect(chat.status, JSON.stringify(chat.body)).to.equal(201);
    const messages = await (await api()).get(`/api/v1/conversations/${conversationId}/messages`).set(as(friend));
    expect(JSON.stringify(messages.body)).to.include(`/posts/${post.id}`);
    expect((await counters(post.id)).shares, 'one person, however they shared').to.equal(1);
    const stranger = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/shares`)
      .set(as(author))
      .send({ to: 'conversation', conversationId, clientMessageId: clientId() });
    expect(stranger.status).to.be.within(400, 404);
  });

  it('counts a sharer once and the author never: sending a post into a chat again and again cannot make it viral', async () => {
    const author = await signupUser();
    const [sharer, friend, other] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await connect(sharer, friend);
    const post = await readyPost(author);
    const dm = await (
      await api()
    )
      .post('/api/v1/conversations')
      .set(as(sharer))
      .send({ name: 'pals', memberIds: [friend.id] });
    const send = () =>
      api().then((a) =>
        a
          .post(`${POSTS}/${post.id}/shares`)
          .set(as(sharer))
          .send({ to: 'conversation', conversationId: dm.body.conversation.id, clientMessageId: clientId() }),
      );
    for (let i = 0; i < 6; i++) expect((await send()).status).to.equal(201);
    expect((await (await api()).post(`${POSTS}/${post.id}/shares`).set(as(author)).send({ to: 'feed' })).status).to.equal(201);
    expect((await (await api()).post(`${POSTS}/${post.id}/shares`).set(as(other)).send({ to: 'feed' })).status).to.equal(201);
    expect((await counters(post.id)).shares, 'two people besides the author').to.equal(2);
    // What the viral and trending jobs read, hour by hour.
    const hours = await HourStat.find({ kind: 'post', key: post.id }).lean();
    expect(hours.reduce((n, h) => n + (h.shares ?? 0), 0)).to.equal(2);
    expect(await detectViralPosts()).to.not.include(post.id);
    // The repair job counts the same way: people, the author aside.
    await Post.updateOne({ _id: post.id }, { $set: { 'counters.shares': 9 } });
    expect(await repairPostCounters(new Date(Date.now() - 86_400_000))).to.be.greaterThanOrEqual(1);
    expect((await counters(post.id)).shares).to.equal(2);
  });

  it('bookmarks into named collections, moves and removes them', async () => {
    const author = await signupUser();
    const reader = await signupUser();
    const post = await readyPost(author);
    const made = await (await api()).post('/api/v1/bookmarks/collections').set(as(reader)).send({ name: 'Recipes' });
    expect(made.status).to.equal(201);
    expectDocumented(made, 'post', '/api/v1/bookmarks/collections');
    const dup = await (await api()).post('/api/v1/bookmarks/collections').set(as(reader)).send({ name: 'Recipes' });
    expect(dup.status).to.equal(409);
    const saved = await (await api()).put(`${POSTS}/${post.id}/bookmark`).set(as(reader)).send({});
    expectDocumented(saved, 'put', `${POSTS}/{id}/bookmark`);
    const moved = await (
      await api()
    )
      .put(`${POSTS}/${post.id}/bookmark`)
      .set(as(reader))
      .send({ collectionId: made.body.collection.id });
    expect(moved.body.collectionId).to.equal(made.body.collection.id);
    expect((await counters(post.id)).bookmarks).to.equal(1);
    const inRecipes = await (await api()).get(`/api/v1/bookmarks?collectionId=${made.body.collection.id}`).set(as(reader));
    expectDocumented(inRecipes, 'get', '/api/v1/bookmarks');
    expect(inRecipes.body.items.map((p: { id: string }) => p.id)).to.deep.equal([post.id]);
    expect((await (await api()).get('/api/v1/bookmarks').set(as(reader))).body.items).to.deep.equal([]);
    const foreign = await (
      await api()
    )
      .put(`${POSTS}/${post.id}/bookmark`)
      .set(as(author))
      .send({ collectionId: made.body.collection.id });
    expect(foreign.status).to.equal(404);
    await (await api()).delete(`${POSTS}/${post.id}/bookmark`).set(as(reader));
    expect((await counters(post.id)).bookmarks).to.equal(0);
  });

  it("refuses oversized text, operator objects and other people's collections, and changes nothing", async () => {
    const author = await signupUser();
    const other = await signupUser();
    const post = await readyPost(author, { caption: 'steady' });
    const long = await (
      await api()
    )
      .patch(`${POSTS}/${post.id}`)
      .set(as(author))
      .send({ caption: 'x'.repeat(2201) });
    expect(long.status).to.equal(400);
    const longComment = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(other))
      .send({ text: 'y'.repeat(2001) });
    expect([longComment.status, longComment.body.error.code]).to.deep.equal([400, 'COMMENT_TOO_LONG']);
    const hostile = [
      await (
        await api()
      )
        .post(`${POSTS}/${post.id}/comments`)
        .set(as(other))
        .send({ text: { $gt: '' } }),
      await (
        await api()
      )
        .post(`${POSTS}/${post.id}/shares`)
        .set(as(other))
        .send({ to: 'conversation', conversationId: { $ne: null }, clientMessageId: 'abcdefgh' }),
      await (
        await api()
      )
        .put(`${POSTS}/${post.id}/bookmark`)
        .set(as(other))
        .send({ collectionId: { $exists: true } }),
      await (await api()).get('/api/v1/feed/nearby?lat[$gt]=0&lng=1').set(as(other)),
    ];
    for (const res of hostile) expect(res.status, JSON.stringify(res.body)).to.equal(400);
    const theirs = await (await api()).post('/api/v1/bookmarks/collections').set(as(author)).send({ name: 'Mine' });
    const foreign = await (await api()).delete(`/api/v1/bookmarks/collections/${theirs.body.collection.id}`).set(as(other));
    expect(foreign.status).to.equal(404);
    expect((await (await api()).get('/api/v1/bookmarks/collections').set(as(author))).body.collections).to.have.length(1);
    expect((await Post.findById(post.id).lean())!.caption).to.equal('steady');
    expect(await counters(post.id)).to.include({ comments: 0, shares: 0, bookmarks: 0 });
  });

  it('the repair job recounts drifted counters from the records', async () => {
    const author = await signupUser();
    const fan = await signupUser();
    const post = await readyPost(author);
    await (await api()).post(`${POSTS}/${post.id}/like`).set(as(fan));
    await (await api()).post(`${POSTS}/${post.id}/comments`).set(as(fan)).send({ text: 'hi' });
    await Post.updateOne({ _id: post.id }, { $set: { 'counters.likes': 7, 'counters.comments': 0 } });
    expect(await repairPostCounters(new Date(Date.now() - 86_400_000))).to.be.greaterThanOrEqual(1);
    expect(await counters(post.id)).to.include({ likes: 1, comments: 1 });
    expect(await Comment.countDocuments({ postId: post.id })).to.equal(1);
  });

  it('gives the author per-day post and creator statistics, with requests that came from a post', async () => {
    const author = await signupUser();
    const fans = await Promise.all([signupUser(), signupUser()]);
    const post = await readyPost(author);
    for (const f of fans) {
      await (await api()).post(`${POSTS}/${post.id}/views`).set(as(f));
    }
    await (await api()).post(`${POSTS}/${post.id}/like`).set(as(fans[0]!));
    const follow = await (
      await api()
    )
      .post(`/api/v1/connections/${author.id}`)
      .set(as(fans[1]!))
      .send({ action: 'interested', fromPostId: post.id });
    expect(follow.status).to.equal(201);
    const day = today();
    const stats = await (await api()).get(`${POSTS}/${post.id}/stats?from=${day}&to=${day}`).set(as(author));
    expect(stats.status, JSON.stringify(stats.body)).to.equal(200);
    expectDocumented(stats, 'get', `${POSTS}/{id}/stats`);
    expect(stats.body.totals).to.include({ views: 2, likes: 1, likeToViewRatio: 0.5 });
    expect(stats.body.days).to.have.length(1);
    const notMine = await (await api()).get(`${POSTS}/${post.id}/stats?from=${day}&to=${day}`).set(as(fans[0]!));
    expect(notMine.status).to.equal(403);
    // A post one may not see is missing, as everywhere else: a 403 would tell it exists.
    const forConnections = await readyPost(author, { visibility: 'connections' });
    await block(author, fans[1]!);
    for (const [id, who] of [
      [forConnections.id, fans[0]!],
      [post.id, fans[1]!],
    ] as const) {
      const hidden = await (await api()).get(`${POSTS}/${id}/stats?from=${day}&to=${day}`).set(as(who));
      expect([hidden.status, hidden.body.error?.code]).to.deep.equal([404, 'NOT_FOUND']);
    }
    const creator = await (await api()).get(`/api/v1/me/creator-stats?from=2026-01-01&to=${day}`).set(as(author));
    expectDocumented(creator, 'get', '/api/v1/me/creator-stats');
    expect(creator.body.totals).to.include({ views: 2, likes: 1, followersFromPosts: 1 });
    const bad = await (await api()).get(`/api/v1/me/creator-stats?from=${day}&to=2020-01-01`).set(as(author));
    expect(bad.status).to.equal(400);
    // Eight thousand years: refused from the span, before a single day is listed.
    const huge = await (await api()).get('/api/v1/me/creator-stats?from=1970-01-01&to=9999-12-31').set(as(author)).timeout(2000);
    expect([huge.status, huge.body.error.code]).to.deep.equal([400, 'INVALID_RANGE']);
  });
});
