import { expect } from 'chai';
import { pushText } from '../services/notifications/templates.js';
import { api, freshIp } from './support/app.js';
import { mailsTo, waitForMail } from './support/mail.js';
import { eventually } from './support/eventually.js';
import { NOTIFICATIONS, ofType } from './support/notifications.js';
import { expectDocumented } from './support/openapi.js';
import { POSTS, readyPost } from './support/posts.js';
import { bearer, newSignup, signupUser, trustedUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const like = async (u: SignedUp, postId: string) => (await api()).post(`${POSTS}/${postId}/like`).set(as(u)).expect(200);

/** A sign-up from an app or browser asking for these languages. */
const signupAsking = async (acceptLanguage: string) =>
  (await api())
    .post('/api/v1/auth/signup')
    .set('X-Forwarded-For', freshIp())
    .set('Accept-Language', acceptLanguage)
    .send(newSignup());

describe('notices in the reader’s language', () => {
  it('takes the language the app asks in at sign-up, and the one a person chooses', async () => {
    const asked = await signupAsking('fr-CA,es-MX;q=0.9,en;q=0.8');
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    expect(asked.body.user.language, 'French is not written: Spanish is the first supported').to.equal('es');
    const unknown = await signupAsking('de-DE,*;q=0.1');
    expect(unknown.body.user).not.to.have.property('language');
    const chosen = await signupUser({ language: 'en' });
    const me = await (await api()).get('/api/v1/users/me').set(as(chosen));
    expectDocumented(me, 'get', '/api/v1/users/me');
    expect(me.body.user.language).to.equal('en');
    for (const bad of ['fr', 'EN', { $ne: 'en' }, ['es']]) {
      const res = await (await api()).patch('/api/v1/users/me').set(as(chosen)).send({ language: bad });
      expect(res.status, JSON.stringify(bad)).to.equal(400);
    }
    expect((await signupUser({ language: 'xx' }).catch((e: Error) => e)) instanceof Error).to.equal(true);
  });

  it('writes the notice, its mail and its grouping in Spanish for a Spanish reader, and in English after a switch', async () => {
    const [author, fan, other] = await Promise.all([
      trustedUser({ firstName: 'Ana', language: 'es' }),
      signupUser({ firstName: 'Fan' }),
      signupUser({ firstName: 'Cy' }),
    ]);
    const pref = await (
      await api()
    )
      .patch(`${NOTIFICATIONS}/preferences`)
      .set(as(author))
      .send({ like: { email: 'immediate' } });
    expect(pref.status).to.equal(200);
    const post = await readyPost(author);
    await like(fan, post.id);
    const mail = await waitForMail(author.input.email, /gustó/);
    expect(mail.subject).to.equal('A Fan le gustó tu publicación');
    expect(mail.body.text).to.match(/^Hola, Ana:/);
    expect(mail.body.html).to.include('Abrir DevTinder');
    await like(other, post.id);
    await eventually(async () => (await ofType(author, 'like'))[0]?.actorCount === 2, 5000, 'the second like');
    expect((await ofType(author, 'like'))[0]!.text).to.equal('A Cy y 1 persona más les gustó tu publicación');
    // Only the one mail: a notice that grows is not mailed again, in any language.
    expect((await mailsTo(author.input.email)).filter((m) => /gustó|liked/.test(m.subject))).to.have.length(1);

    await (await api()).patch('/api/v1/users/me').set(as(author)).send({ language: 'en' }).expect(200);
    expect((await ofType(author, 'like'))[0]!.text).to.equal('Cy and 1 other liked your post');
  });

  it('cuts a push to a short text at a word', () => {
    expect(pushText('short')).to.equal('short');
    const long = `${'word '.repeat(40)}end`;
    const cut = pushText(long);
    expect(cut.length).to.be.at.most(140);
    expect(cut).to.match(/word…$/);
  });
});
