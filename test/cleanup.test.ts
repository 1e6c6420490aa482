import { expect } from 'chai';
import { runCleanup } from '../jobs/cleanup.job.js';
import { AccountToken } from '../models/account-token.model.js';
import { RefreshToken } from '../models/refresh-token.model.js';
import { Session } from '../models/session.model.js';
import { api } from './support/app.js';
import { signupUser } from './support/users.js';

describe('cleanup job', () => {
  it('deletes expired sessions and tokens and keeps live ones', async () => {
    const expired = await signupUser();
    const live = await signupUser();
    const past = new Date(Date.now() - 60_000);
    await Session.updateMany({ userId: expired.id }, { $set: { expiresAt: past } });
    await RefreshToken.updateMany({ userId: expired.id }, { $set: { expiresAt: past } });
    await AccountToken.updateMany({ userId: expired.id }, { $set: { expiresAt: past } });

    expect(await runCleanup()).to.be.at.least(3);
    expect(await Session.countDocuments({ userId: expired.id })).to.equal(0);
    expect(await RefreshToken.countDocuments({ userId: expired.id })).to.equal(0);
    expect(await AccountToken.countDocuments({ userId: expired.id })).to.equal(0);
    expect(await Session.countDocuments({ userId: live.id })).to.equal(1);
    expect((await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: live.refreshToken })).status).to.equal(200);
  });
});
