import { expect } from 'chai';
import { User } from '../models/user.model.js';
import { api } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { runTs } from './support/process.js';
import { bearer, signupUser } from './support/users.js';

const login = async (identifier: string, password: string) =>
  (await (await api()).post('/api/v1/auth/login').send({ identifier, password })).body.accessToken as string;

describe('roles and the create-admin script', () => {
  it('promotes an account with the script; the new role is in the next token and opens admin routes', async () => {
    const admin = await signupUser();
    const target = await signupUser();
    const path = `/api/v1/admin/users/${target.id}`;

    const before = await (await api()).get(path).set(bearer(admin.accessToken));
    expect(before.status).to.equal(403);
    expect(before.body.error.code).to.equal('INSUFFICIENT_ROLE');
    expectDocumented(before, 'get', '/api/v1/admin/users/{userId}');

    const run = runTs('scripts/create-admin.ts', [admin.input.email], {
      MONGODB_URI: process.env.MONGODB_URI!,
      LOG_LEVEL: 'silent',
    });
    expect(await run.exited, run.output()).to.equal(0);
    expect(run.output()).to.include('is now admin');
    expect((await User.findById(admin.id).lean())!.role).to.equal('admin');

    const token = await login(admin.input.email, admin.input.password);
    const after = await (await api()).get(path).set(bearer(token));
    expect(after.status).to.equal(200);
    expectDocumented(after, 'get', '/api/v1/admin/users/{userId}');
    expect(after.body.user.id).to.equal(target.id);

    const role = await (await api()).patch(`${path}/role`).set(bearer(token)).send({ role: 'moderator' });
    expect(role.status).to.equal(200);
    expect(role.body.user.role).to.equal('moderator');
  });

  it('refuses moderators on admin-only routes, bad ids and bad roles', async () => {
    const mod = await signupUser();
    await User.updateOne({ _id: mod.id }, { $set: { role: 'moderator' } });
    const token = await login(mod.input.username, mod.input.password);
    const target = await signupUser();
    expect((await (await api()).get(`/api/v1/admin/users/${target.id}`).set(bearer(token))).status).to.equal(200);
    const patch = await (await api()).patch(`/api/v1/admin/users/${target.id}/role`).set(bearer(token)).send({ role: 'admin' });
    expect(patch.status).to.equal(403);
    expect((await User.findById(target.id).lean())!.role).to.equal('user');

    await User.updateOne({ _id: mod.id }, { $set: { role: 'admin' } });
    const adminToken = await login(mod.input.username, mod.input.password);
    expect((await (await api()).get('/api/v1/admin/users/not-an-id').set(bearer(adminToken))).status).to.equal(400);
    expect((await (await api()).get('/api/v1/admin/users/5f0000000000000000000000').set(bearer(adminToken))).status).to.equal(
      404,
    );
    const badRole = await (
      await api()
    )
      .patch(`/api/v1/admin/users/${target.id}/role`)
      .set(bearer(adminToken))
      .send({ role: 'god' });
    expect(badRole.status).to.equal(400);
    const opRole = await (
      await api()
    )
      .patch(`/api/v1/admin/users/${target.id}/role`)
      .set(bearer(adminToken))
      .send({ role: { $ne: 'x' } });
    expect(opRole.status).to.equal(400);
    expect((await User.findById(target.id).lean())!.role).to.equal('user');
  });

  it('the script fails clearly for an unknown email', async () => {
    const run = runTs('scripts/create-admin.ts', ['nobody-at-all@example.com'], {
      MONGODB_URI: process.env.MONGODB_URI!,
      LOG_LEVEL: 'silent',
    });
    expect(await run.exited).to.equal(1);
    expect(run.output()).to.include('no account uses');
  });

  it('set-plan gives a plan until an expiry, refuses unknown plans, and free clears the expiry', async () => {
    const u = await signupUser();
    const env = { MONGODB_URI: process.env.MONGODB_URI!, LOG_LEVEL: 'silent' };
    const gold = runTs('scripts/set-plan.ts', [u.input.email, 'gold', '7'], env);
    expect(await gold.exited, gold.output()).to.equal(0);
    const stored = await User.findById(u.id, { plan: 1, planExpiresAt: 1 }).lean();
    expect(stored?.plan).to.equal('gold');
    expect(stored!.planExpiresAt!.getTime() - Date.now()).to.be.within(6.9 * 86_400_000, 7 * 86_400_000);
    const bad = runTs('scripts/set-plan.ts', [u.input.email, 'platinum'], env);
    expect(await bad.exited).to.equal(2);
    const free = runTs('scripts/set-plan.ts', [u.input.email, 'free'], env);
    expect(await free.exited).to.equal(0);
    expect(await User.findById(u.id, { plan: 1, planExpiresAt: 1 }).lean())
      .to.deep.include({ plan: 'free' })
      .and.not.have.property('planExpiresAt');
  });
});
