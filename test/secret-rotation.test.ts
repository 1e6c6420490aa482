import { expect } from 'chai';
import supertest from 'supertest';
import { config } from '../config/index.js';
import { Session } from '../models/session.model.js';
import { startServer, type StartedServer } from './support/process.js';
import { bearer, signupUser } from './support/users.js';

const NEW_SECRET = 'the-secret-after-the-rotation-0123456789abcdef';

/**
 * An operator replaces JWT_ACCESS_SECRET and lists the old one in JWT_ACCEPTED_SECRETS for a
 * while (docs/deploy.md): nobody is signed out; once the old one is dropped, what only it
 * signed stops working. Real processes: the secrets are read at start-up.
 */
describe('rotating the signing secret (real processes)', function () {
  this.timeout(120_000);
  let rotating: StartedServer;
  let rotated: StartedServer;

  before(async () => {
    [rotating, rotated] = await Promise.all([
      startServer(
        process.env.MONGODB_URI!,
        { JWT_ACCESS_SECRET: NEW_SECRET, JWT_ACCEPTED_SECRETS: config.auth.jwtSecret },
        'the server during the rotation',
        60_000,
      ),
      startServer(process.env.MONGODB_URI!, { JWT_ACCESS_SECRET: NEW_SECRET }, 'the server after it', 60_000),
    ]);
  });
  after(() => {
    rotating?.child.kill('SIGKILL');
    rotated?.child.kill('SIGKILL');
  });

  it('keeps sessions signed in while the old secret is listed, and moves them to the new one at their next refresh', async () => {
    // Signed up before the rotation: both tokens are signed with the old secret.
    const user = await signupUser();
    const during = () => supertest(rotating.url);
    const afterwards = () => supertest(rotated.url);
    expect((await during().get('/api/v1/auth/me').set(bearer(user.accessToken))).status).to.equal(200);
    expect((await afterwards().get('/api/v1/auth/me').set(bearer(user.accessToken))).status).to.equal(401);
    // An old refresh token where the old secret is no longer listed is refused as made up: it
    // does not count as a replay, and the session lives on.
    expect((await afterwards().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken })).status).to.equal(401);
    expect((await Session.findOne({ userId: user.id }).lean())!.revokedAt ?? null).to.equal(null);

    const refreshed = await during().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken });
    expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200);
    const { accessToken, refreshToken } = refreshed.body as { accessToken: string; refreshToken: string };
    // What the refresh gave is signed with the new secret: it works once the old one is gone.
    const me = await afterwards().get('/api/v1/auth/me').set(bearer(accessToken));
    expect(me.status).to.equal(200);
    expect(me.body.user.id).to.equal(user.id);
    expect((await afterwards().post('/api/v1/auth/refresh').send({ refreshToken })).status).to.equal(200);
  });
});
