import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTurnServer, type TurnServer } from './support/turn-server.js';

const UCLIENT = '/usr/bin/turnutils_uclient';

/** coturn's own test client asking the relay for `peer`, under a username naming it; gone after `ms`. */
function askRelayFor(turn: TurnServer, peer: string, name: string, ms = 2500): Promise<void> {
  const port = /:(\d+)\?/.exec(turn.env.TURN_URLS)![1]!;
  // The REST credentials the API hands out: an expiry and a name, signed with the shared secret.
  const username = `${Math.floor(Date.now() / 1000) + 600}:${name}`;
  const password = createHmac('sha1', turn.env.TURN_SECRET).update(username).digest('base64');
  const child = spawn(
    UCLIENT,
    ['-p', port, '-u', username, '-w', password, '-e', peer, '-r', '80', '-n', '1', '-m', '1', '127.0.0.1'],
    {
      stdio: 'ignore',
    },
  );
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("the TURN relay's policy (coturn/turnserver.conf)", function () {
  this.timeout(30_000);
  let turn: TurnServer | null = null;

  before(async function () {
    if (!existsSync(UCLIENT)) this.skip();
    turn = await startTurnServer({ config: path.resolve('coturn/turnserver.conf') });
    if (!turn) this.skip();
  });
  after(async () => turn?.stop());

  it('takes every range the file denies (coturn skips a line it cannot read, and carries on)', () => {
    const denied = readFileSync(path.resolve('coturn/turnserver.conf'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('denied-peer-ip='))
      .map((l) => l.slice('denied-peer-ip='.length).trim());
    expect(denied).to.have.length.above(20);
    const listed = new Set([...turn!.output().matchAll(/Black listing: (\S+)/g)].map((m) => m[1]));
    expect(denied.filter((range) => !listed.has(range))).to.deep.equal([]);
    expect(turn!.output()).not.to.match(/Wrong address/);
  });

  it('relays to no address inside (metadata service, VPC, loopback, shared, multicast), and to a public one', async () => {
    const inside = {
      metadata: '169.254.169.254',
      vpc: '172.31.5.9',
      private: '10.0.0.5',
      home: '192.168.1.1',
      loopback: '127.0.0.1',
      cgnat: '100.64.0.1',
      multicast: '239.1.1.1',
    };
    const outside = { public: '8.8.8.8' };
    await Promise.all(Object.entries({ ...inside, ...outside }).map(([name, ip]) => askRelayFor(turn!, ip, `peer-${name}`)));
    const lines = turn!.output().split('\n');
    const of = (name: string) => lines.filter((l) => l.includes(`:peer-${name}>`) && /CREATE_PERMISSION|CHANNEL_BIND/.test(l));
    for (const name of Object.keys(inside)) {
      expect(of(name), name).to.not.be.empty;
      expect(
        of(name).every((l) => l.includes('error 403: Forbidden IP')),
        `${name}: ${of(name).join('\n')}`,
      ).to.equal(true);
    }
    expect(of('public')).to.not.be.empty;
    expect(
      of('public').every((l) => l.includes('success')),
      of('public').join('\n'),
    ).to.equal(true);
  });
});
