import { expect } from 'chai';
import { io as connect } from 'socket.io-client';
import supertest from 'supertest';
import { startOutageDatabase, type OutageDatabase } from './support/outage-db.js';
import { spawnServer as startServer, waitFor, type Spawned } from './support/process.js';
import { newSignup } from './support/users.js';

const PORT_BASE = 31_000 + (process.pid % 1000) * 2;

describe('server lifecycle (real processes)', function () {
  this.timeout(120_000);

  describe('database outage', () => {
    let db: OutageDatabase;
    let server: Spawned;
    const port = PORT_BASE;
    const http = () => supertest(`http://127.0.0.1:${port}`);

    before(async () => {
      db = await startOutageDatabase();
      server = startServer(port, db.uri);
      await waitFor(async () => (await http().get('/readyz')).status === 200, 'the server to be ready');
    });
    after(async () => {
      server.child.kill('SIGKILL');
      await db.destroy();
    });

    it('answers 503 at once while the database is down, and recovers by itself', async () => {
      const input = newSignup();
      expect((await http().post('/api/v1/auth/signup').send(input)).status).to.equal(201);

      await db.stop();
      await waitFor(async () => (await http().get('/readyz').timeout(3000)).status === 503, 'readiness to fail');
      const ready = await http().get('/readyz').timeout(3000);
      expect(ready.body).to.deep.include({ status: 'unavailable' });
      // A deadline, not a benchmark: the API must refuse quickly instead of queueing.
      const login = await http()
        .post('/api/v1/auth/login')
        .timeout(2000)
        .send({ identifier: input.email, password: input.password });
      expect(login.status).to.equal(503);
      expect(login.body.error.code).to.equal('DATABASE_UNAVAILABLE');
      expect(login.headers['retry-after']).to.equal('5');
      expect((await http().get('/healthz')).status).to.equal(200);

      await db.restart();
      await waitFor(async () => (await http().get('/readyz')).status === 200, 'readiness to recover');
      const after = await http().post('/api/v1/auth/login').send({ identifier: input.email, password: input.password });
      expect(after.status).to.equal(200);
    });
  });

  describe('graceful shutdown', () => {
    it('finishes in-flight requests, disconnects sockets, closes the database and exits 0 on SIGTERM', async () => {
      const port = PORT_BASE + 1;
      // A high bcrypt cost makes the signup slow enough to be in flight when the signal lands.
      const server = startServer(port, process.env.MONGODB_URI!, { BCRYPT_COST: '13' });
      const http = () => supertest(`http://127.0.0.1:${port}`);
      await waitFor(async () => (await http().get('/readyz')).status === 200, 'the server to be ready');

      const u = await http()
        .post('/api/v1/auth/signup')
        .send(newSignup({ password: 'slow password' }));
      const socket = connect(`http://127.0.0.1:${port}`, {
        auth: { token: u.body.accessToken },
        transports: ['websocket'],
        reconnection: false,
      });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

      const inFlight = http().post('/api/v1/auth/login').send({ identifier: u.body.user.email, password: 'slow password' });
      const pending = inFlight.then((r) => r);
      await new Promise((r) => setTimeout(r, 100));
      server.child.kill('SIGTERM');

      const res = await pending;
      expect(res.status).to.equal(200);
      expect(await disconnected).to.equal('io server disconnect');
      expect(await server.exited, server.output().slice(-3000)).to.equal(0);
      expect(server.output()).to.include('"message":"stopped"');
      // The local default mail provider wrote the verification mail to the log.
      expect(server.output()).to.include('"message":"mail (log provider)"');
      socket.close();
    });
  });
});
