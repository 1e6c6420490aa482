import { expect } from 'chai';
import { openApiDocument } from '../docs/openapi.js';
import { AuditRecord } from '../models/audit-record.model.js';
import { Post } from '../models/post.model.js';
import { Report } from '../models/report.model.js';
import { Session } from '../models/session.model.js';
import { api } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { connect } from './support/connections.js';
import { heard } from './support/notifications.js';
import { readyPost } from './support/posts.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const ADMIN = '/api/v1/admin';
const someId = '65a0c0ffee65a0c0ffee65a0';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Every admin route the API documents (the documentation lists every route the app serves). */
const adminRoutes = () =>
  Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>)
    .filter(([path]) => path.startsWith(`${ADMIN}/`))
    .flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method as Method, path: path.replace(/\{[^}]+\}/g, someId) })),
    );

const call = async (u: SignedUp, route: { method: Method; path: string }) =>
  (await api())[route.method](route.path).set(as(u)).send({});

describe('admin: users, roles and the audit trail', function () {
  this.timeout(30_000);

  it('refuses a user on every admin route, and a moderator on each admin-only one', async () => {
    const [user, mod] = await Promise.all([signupUser(), staffUser('moderator')]);
    const routes = adminRoutes();
    expect(routes.length).to.be.at.least(20);
    for (const route of routes) {
      const res = await call(user, route);
      expect([res.status, res.body.error?.code], `${route.method} ${route.path}`).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    }
    const adminOnly = [
      { method: 'patch', path: `${ADMIN}/users/${someId}/role` },
      { method: 'patch', path: `${ADMIN}/users/${someId}/badge` },
      { method: 'patch', path: `${ADMIN}/users/${someId}/ban` },
      { method: 'put', path: `${ADMIN}/users/${someId}/plan` },
      { method: 'get', path: `${ADMIN}/audit` },
      { method: 'post', path: `${ADMIN}/notices` },
      { method: 'get', path: `${ADMIN}/payments` },
    ] as const;
    for (const route of adminOnly) {
      const res = await call(mod, route);
      expect([res.status, res.body.error?.code], `${route.method} ${route.path}`).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    }
    // What a moderator may do, a moderator can.
    const found = await (await api()).get(`${ADMIN}/users`).set(as(mod)).query({ q: user.input.email });
    expect(found.status).to.equal(200);
    expect(found.body.users.map((u: { id: string }) => u.id)).to.deep.equal([user.id]);
  });

  it('a suspension ends every session and refuses sign-in until it ends, then lets it', async () => {
    const [mod, target, viewer] = await Promise.all([staffUser('moderator'), signupUser(), signupUser()]);
    const until = new Date(Date.now() + 2500);
    const res = await (
      await api()
    )
      .put(`${ADMIN}/users/${target.id}/suspension`)
      .set(as(mod))
      .send({ until: until.toISOString(), reason: 'spamming the feed' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expectDocumented(res, 'put', `${ADMIN}/users/{userId}/suspension`);
    expect(res.body.standing).to.include({ suspensionReason: 'spamming the feed', suspendedUntil: until.toISOString() });
    expect(await Session.countDocuments({ userId: target.id, revokedAt: null })).to.equal(0);
    expect((await (await api()).get('/api/v1/users/me').set(as(target))).status).to.equal(401);
    const login = () =>
      api().then((a) => a.post('/api/v1/auth/login').send({ identifier: target.input.email, password: target.input.password }));
    const refused = await login();
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, 'ACCOUNT_SUSPENDED']);
    expect(refused.body.error.details.until).to.equal(until.toISOString());
    const refresh = await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: target.refreshToken });
    expect(refresh.status).to.equal(401);
    // Once the time is up, the door opens again by itself.
    // While suspended, nobody finds or sees them.
    const profile = async () => (await (await api()).get(`/api/v1/users/${target.input.username}`).set(as(viewer))).status;
    const found = async () =>
      (await (await api()).get('/api/v1/users/search').set(as(viewer)).query({ q: target.input.username })).body.users.map(
        (u: { id: string }) => u.id,
      );
    expect(await profile()).to.equal(404);
    expect(await found()).not.to.include(target.id);
    await new Promise((resolve) => setTimeout(resolve, until.getTime() - Date.now() + 200));
    expect((await login()).status).to.equal(200);
    expect(await profile()).to.equal(200);
    expect(await found()).to.include(target.id);
    for (const bad of [
      { until: new Date(Date.now() - 1000).toISOString(), reason: 'x' },
      { until: 'tomorrow', reason: 'x' },
      { until: until.toISOString() },
      { until: { $gt: '' }, reason: 'x' },
    ]) {
      const r = await (await api()).put(`${ADMIN}/users/${target.id}/suspension`).set(as(mod)).send(bad);
      expect(r.status, JSON.stringify(bad)).to.equal(400);
    }
  });

  it("while suspended, a person drops out of others' comments, likers, friend lists and notices (not their blocker's list), and comes back", async () => {
    const [mod, author, sue, blocker] = await Promise.all([staffUser('moderator'), signupUser(), signupUser(), signupUser()]);
    const post = await readyPost(author);
    await connect(author, sue);
    expect((await (await api()).post(`/api/v1/posts/${post.id}/like`).set(as(sue))).status).to.be.oneOf([200, 201]);
    const said = await (await api()).post(`/api/v1/posts/${post.id}/comments`).set(as(sue)).send({ text: 'nice one' });
    expect(said.status).to.equal(201);
    expect((await (await api()).post(`/api/v1/users/${sue.id}/block`).set(as(blocker))).status).to.be.oneOf([200, 201, 204]);
    await heard(author, 'like');

    const seen = async () => {
      const get = async (u: SignedUp, path: string) => (await (await api()).get(path).set(as(u))).body;
      const [likers, comments, friends, notices, blocks] = await Promise.all([
        get(author, `/api/v1/posts/${post.id}/likes`),
        get(author, `/api/v1/posts/${post.id}/comments`),
        get(author, '/api/v1/connections'),
        get(author, '/api/v1/notifications'),
        get(blocker, '/api/v1/users/me/blocks'),
      ]);
      return {
        likers: likers.items.map((l: { userId: string }) => l.userId),
        commenters: comments.items.map((c: { author: { id: string } }) => c.author.id),
        friends: friends.items.map((i: { user: { id: string } }) => i.user.id),
        actors: [...new Set(notices.items.flatMap((n: { actor: { id: string } | null }) => (n.actor ? [n.actor.id] : [])))],
        blocked: blocks.blocks.map((b: { userId: string }) => b.userId),
      };
    };
    const everywhere = { likers: [sue.id], commenters: [sue.id], friends: [sue.id], actors: [sue.id], blocked: [sue.id] };
    expect(await seen()).to.deep.include(everywhere);

    const until = new Date(Date.now() + 3_600_000).toISOString();
    const suspended = await (await api()).put(`${ADMIN}/users/${sue.id}/suspension`).set(as(mod)).send({ until, reason: 'spam' });
    expect(suspended.status).to.equal(200);
    expect(await seen()).to.deep.equal({ likers: [], commenters: [], friends: [], actors: [], blocked: [sue.id] });

    expect((await (await api()).delete(`${ADMIN}/users/${sue.id}/suspension`).set(as(mod))).status).to.equal(200);
    expect(await seen()).to.deep.include(everywhere);
  });

  it('staff decide nothing about themselves and moderators nothing about staff, on content and reports too', async () => {
    const [mod, admin, user] = await Promise.all([staffUser('moderator'), staffUser('admin'), signupUser()]);
    const [modPost, adminPost] = await Promise.all([readyPost(mod), readyPost(admin)]);
    const decide = (by: SignedUp, postId: string, action: 'remove' | 'restore') =>
      api().then((a) => a.patch(`${ADMIN}/content/posts/${postId}`).set(as(by)).send({ action }));
    const hidden = async (postId: string) => (await Post.findById(postId, { hiddenReason: 1 }).lean())?.hiddenReason ?? null;

    expect((await decide(admin, modPost.id, 'remove')).status).to.equal(204);
    const own = await decide(mod, modPost.id, 'restore');
    expect([own.status, own.body.error?.code], 'restoring their own removed post').to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect(await hidden(modPost.id)).to.equal('removed_by_moderator');
    const higher = await decide(mod, adminPost.id, 'remove');
    expect([higher.status, higher.body.error?.code], "removing an admin's post").to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect(await hidden(adminPost.id)).to.equal(null);

    const filed = await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(user))
      .send({ targetType: 'user', targetId: mod.id, reason: 'spam' });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const close = (by: SignedUp) =>
      api().then((a) => a.patch(`${ADMIN}/reports/${filed.body.report.id}`).set(as(by)).send({ status: 'dismissed' }));
    const aboutThemselves = await close(mod);
    expect([aboutThemselves.status, aboutThemselves.body.error?.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect((await Report.findById(filed.body.report.id).lean())?.status).to.equal('open');
    expect((await close(admin)).status).to.equal(204);
  });

  it('records every staff action with who, before and after, and the request it came from', async () => {
    const [admin, mod, target, reporter] = await Promise.all([
      staffUser('admin'),
      staffUser('moderator'),
      signupUser(),
      signupUser(),
    ]);
    const a = await api();
    const roleRes = await a.patch(`${ADMIN}/users/${target.id}/role`).set(as(admin)).send({ role: 'moderator' });
    expect(roleRes.status).to.equal(200);
    await a.patch(`${ADMIN}/users/${target.id}/role`).set(as(admin)).send({ role: 'user' }).expect(200);
    await a.patch(`${ADMIN}/users/${target.id}/badge`).set(as(admin)).send({ verifiedBadge: true }).expect(200);
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const plan = await a.put(`${ADMIN}/users/${target.id}/plan`).set(as(admin)).send({ plan: 'gold', until });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(200);
    expectDocumented(plan, 'put', `${ADMIN}/users/{userId}/plan`);
    expect(plan.body.user).to.include({ plan: 'gold' });
    await a
      .put(`${ADMIN}/users/${target.id}/suspension`)
      .set(as(mod))
      .send({ until: new Date(Date.now() + 86_400_000).toISOString(), reason: 'cool off' })
      .expect(200);
    await a.delete(`${ADMIN}/users/${target.id}/suspension`).set(as(mod)).expect(200);
    await a.patch(`${ADMIN}/users/${target.id}/ban`).set(as(admin)).send({ banned: true, reason: 'fraud' }).expect(200);
    await a.patch(`${ADMIN}/users/${target.id}/ban`).set(as(admin)).send({ banned: false }).expect(200);
    const ended = await a.post(`${ADMIN}/users/${target.id}/sessions/end`).set(as(mod));
    expect(ended.status).to.equal(200);
    const post = await readyPost(reporter);
    await a.patch(`${ADMIN}/content/posts/${post.id}`).set(as(mod)).send({ action: 'remove' }).expect(204);

    const trail = await a.get(`${ADMIN}/audit`).set(as(admin)).query({ userId: target.id, limit: 100 });
    expect(trail.status).to.equal(200);
    expectDocumented(trail, 'get', `${ADMIN}/audit`);
    const records = (
      trail.body.records as { action: string; actorId: string; before: object; after: object; requestId: string }[]
    )
      .slice()
      .reverse();
    expect(records.map((r) => r.action)).to.deep.equal([
      'admin.role_changed',
      'admin.role_changed',
      'admin.badge_changed',
      'admin.plan_granted',
      'admin.user_suspended',
      'admin.suspension_lifted',
      'admin.user_banned',
      'admin.user_restored',
      'admin.sessions_ended',
    ]);
    expect(records[0]).to.deep.include({ actorId: admin.id, before: { role: 'user' }, after: { role: 'moderator' } });
    expect(records[0]!.requestId).to.equal(roleRes.headers['x-request-id']);
    expect(records[2]).to.deep.include({ before: { verifiedBadge: false }, after: { verifiedBadge: true } });
    expect(records[3]!.before).to.deep.include({ plan: 'free', planExpiresAt: null });
    expect(records[3]!.after).to.deep.include({ plan: 'gold' });
    expect(records[4]).to.deep.include({ actorId: mod.id });
    expect(records[4]!.after).to.deep.include({ suspensionReason: 'cool off' });
    expect(records[5]!.after).to.deep.include({ suspendedUntil: null, suspensionReason: null });
    const removal = await a.get(`${ADMIN}/audit`).set(as(admin)).query({ targetId: post.id });
    expect(removal.body.records[0]).to.deep.include({
      action: 'moderation.post_removed',
      actorId: mod.id,
      before: { visible: true },
      after: { visible: false },
    });

    // Search by action, and page by cursor.
    const first = await a
      .get(`${ADMIN}/audit`)
      .set(as(admin))
      .query({ userId: target.id, action: 'admin.role_changed', limit: 1 });
    expect(first.body.records).to.have.length(1);
    const second = await a
      .get(`${ADMIN}/audit`)
      .set(as(admin))
      .query({ userId: target.id, action: 'admin.role_changed', limit: 1, cursor: first.body.nextCursor });
    expect(second.body.records[0].id).not.to.equal(first.body.records[0].id);
    expect(second.body.records[0].after).to.deep.equal({ role: 'moderator' });
    for (const bad of [{ action: { $ne: '' } }, { userId: 'nope' }, { from: 'yesterday' }]) {
      expect((await a.get(`${ADMIN}/audit`).set(as(admin)).query(bad)).status, JSON.stringify(bad)).to.equal(400);
    }
    // The record of a user for staff carries their trail, reports and sessions.
    const record = await a.get(`${ADMIN}/users/${target.id}`).set(as(admin));
    expectDocumented(record, 'get', `${ADMIN}/users/{userId}`);
    expect(record.body.recentActivity[0].action).to.equal('admin.sessions_ended');
  });

  it("keeps a moderator from undoing or outdoing an admin's decision", async () => {
    const [admin, mod, banned, suspended, other] = await Promise.all([
      staffUser('admin'),
      staffUser('moderator'),
      signupUser(),
      signupUser(),
      signupUser(),
    ]);
    const a = await api();
    const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    await a.patch(`${ADMIN}/users/${banned.id}/ban`).set(as(admin)).send({ banned: true, reason: 'fraud' }).expect(200);
    await a
      .put(`${ADMIN}/users/${suspended.id}/suspension`)
      .set(as(admin))
      .send({ until: soon(365), reason: 'long' })
      .expect(200);
    for (const [method, path, body] of [
      ['delete', `${ADMIN}/users/${banned.id}/suspension`, {}],
      ['put', `${ADMIN}/users/${banned.id}/suspension`, { until: soon(1), reason: 'shorter' }],
      ['delete', `${ADMIN}/users/${suspended.id}/suspension`, {}],
      ['put', `${ADMIN}/users/${suspended.id}/suspension`, { until: soon(1), reason: 'shorter' }],
      ['put', `${ADMIN}/users/${other.id}/suspension`, { until: soon(365), reason: 'a ban in all but name' }],
      ['put', `${ADMIN}/users/${mod.id}/suspension`, { until: soon(1), reason: 'myself' }],
    ] as const) {
      const res = await a[method](path).set(as(mod)).send(body);
      expect([res.status, res.body.error?.code], `${method} ${path}`).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    }
    // Nor does an admin give their own account a plan or a badge.
    const selfPlan = await a
      .put(`${ADMIN}/users/${admin.id}/plan`)
      .set(as(admin))
      .send({ plan: 'premium', until: soon(30) });
    expect([selfPlan.status, selfPlan.body.error?.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    const selfBadge = await a.patch(`${ADMIN}/users/${admin.id}/badge`).set(as(admin)).send({ verifiedBadge: true });
    expect(selfBadge.status).to.equal(403);
    const standing = await a.get(`${ADMIN}/users/${suspended.id}`).set(as(mod));
    expect(standing.body.standing.suspensionReason).to.equal('long');
    // What moderators read of a person leaves out who reported them, addresses and the trail.
    expect(standing.body.recentActivity).to.deep.equal([]);
    expect(JSON.stringify(standing.body.sessions)).not.to.include('"ip"');
    // Nor how to reach them or where they are exactly: record by record that would be an export.
    expectDocumented(standing, 'get', `${ADMIN}/users/{userId}`);
    expect(standing.body.user).to.not.have.any.keys('email', 'phone', 'location');
    expect(standing.body.user).to.include({ id: suspended.id, username: suspended.input.username });
    const forAdmin = await a.get(`${ADMIN}/users/${suspended.id}`).set(as(admin));
    expectDocumented(forAdmin, 'get', `${ADMIN}/users/{userId}`);
    expect(forAdmin.body.user.email).to.equal(suspended.input.email);
    // Each reading of a record is audited; a staff member's record is for admins only.
    const viewed = await AuditRecord.find({ userId: suspended.id, action: 'admin.user_viewed' }).lean();
    expect(viewed.map((r) => [r.actor, String(r.actorId)])).to.deep.include(['moderator', mod.id]);
    const staffRecord = await a.get(`${ADMIN}/users/${admin.id}`).set(as(mod));
    expect([staffRecord.status, staffRecord.body.error?.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect((await a.get(`${ADMIN}/users/${mod.id}`).set(as(admin))).status).to.equal(200);
    // Nor do moderators find staff (and their addresses) by searching.
    const find = async (by: SignedUp, q: string) =>
      (await a.get(`${ADMIN}/users`).set(as(by)).query({ q })).body.users.map((u: { id: string }) => u.id);
    expect(await find(mod, admin.input.email)).to.deep.equal([]);
    expect(await find(mod, admin.id)).to.deep.equal([]);
    expect(await find(admin, admin.input.email)).to.deep.equal([admin.id]);
    expect(await find(mod, suspended.input.email)).to.deep.equal([suspended.id]);
  });

  it('finds users by email, username, id, plan, status and country', async () => {
    const [mod, admin] = await Promise.all([staffUser('moderator'), staffUser('admin')]);
    const tag = `zq${Date.now().toString(36)}`;
    const [one, two] = await Promise.all([signupUser({ username: `${tag}_one` }), signupUser({ username: `${tag}_two` })]);
    await (await api()).patch('/api/v1/users/me').set(as(one)).send({ country: 'PT' }).expect(200);
    await (
      await api()
    )
      .put(`${ADMIN}/users/${two.id}/plan`)
      .set(as(admin))
      .send({ plan: 'premium', until: new Date(Date.now() + 86_400_000).toISOString() })
      .expect(200);
    await (
      await api()
    )
      .put(`${ADMIN}/users/${one.id}/suspension`)
      .set(as(mod))
      .send({ until: new Date(Date.now() + 86_400_000).toISOString(), reason: 'x' })
      .expect(200);
    const ids = async (query: Record<string, string>) => {
      const res = await (await api()).get(`${ADMIN}/users`).set(as(mod)).query(query);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body.users.map((u: { id: string }) => u.id) as string[];
    };
    const listed = await (await api()).get(`${ADMIN}/users`).set(as(mod)).query({ q: tag });
    expectDocumented(listed, 'get', `${ADMIN}/users`);
    expect(await ids({ q: tag })).to.deep.equal([two.id, one.id]);
    expect(await ids({ q: two.input.email.toUpperCase() })).to.deep.equal([two.id]);
    // Addresses are for admins: a page of users is no way for a moderator to export them.
    expect(listed.body.users.every((u: object) => !('email' in u))).to.equal(true);
    const forAdmin = await (await api()).get(`${ADMIN}/users`).set(as(admin)).query({ q: tag });
    expect(forAdmin.body.users.map((u: { email: string }) => u.email)).to.deep.equal([two.input.email, one.input.email]);
    // "Does this address have an account?" is on the record.
    const lookedUp = await AuditRecord.find({ action: 'admin.user_looked_up', actorId: mod.id }).lean();
    expect(lookedUp.map((r) => r.detail)).to.deep.equal([{ email: two.input.email, found: 1 }]);
    expect(await ids({ q: one.id })).to.deep.equal([one.id]);
    expect(await ids({ q: tag, plan: 'premium' })).to.deep.equal([two.id]);
    expect(await ids({ q: tag, status: 'suspended' })).to.deep.equal([one.id]);
    expect(await ids({ q: tag, status: 'active' })).to.deep.equal([two.id]);
    expect(await ids({ q: tag, country: 'pt' })).to.deep.equal([one.id]);
    expect(await ids({ q: tag, joinedFrom: new Date(Date.now() + 60_000).toISOString() })).to.deep.equal([]);
    expect(await ids({ q: '.*' })).to.deep.equal([]);
    for (const bad of [{ status: 'gone' }, { plan: 'platinum' }, { cursor: 'x' }]) {
      expect((await (await api()).get(`${ADMIN}/users`).set(as(mod)).query(bad)).status, JSON.stringify(bad)).to.equal(400);
    }
  });
});
