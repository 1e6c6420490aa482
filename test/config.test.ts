import { expect } from 'chai';
import { ConfigError, parseConfig } from '../config/config.js';
import { runTs } from './support/process.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  return expect.fail('config should have been refused');
};

describe('config', () => {
  it('has working local defaults', () => {
    const c = parseConfig({});
    expect(c.port).to.equal(3000);
    expect(c.db.uri).to.equal(undefined);
    expect(c.mail.provider).to.equal('log');
    expect(c.cookies.secure).to.equal(false);
    expect(c.auth.bcryptCost).to.equal(10);
    expect(c.limits.knownDeviceFailuresPerDay).to.equal(10);
  });

  it('names each malformed variable', () => {
    expect(problemsOf({ PORT: 'abc' })).to.match(/^PORT:/m);
    expect(problemsOf({ MONGODB_URI: 'http://x' })).to.match(/^MONGODB_URI:/m);
    expect(problemsOf({ JWT_ACCESS_SECRET: 'short' })).to.match(/^JWT_ACCESS_SECRET:/m);
    expect(problemsOf({ CORS_ORIGINS: 'http://ok.test,not an origin' })).to.match(/CORS_ORIGINS: "not an origin"/);
    expect(problemsOf({ BCRYPT_COST: '40' })).to.match(/^BCRYPT_COST:/m);
    expect(problemsOf({ LOGIN_MAX_FAILURES_PER_DEVICE_PER_DAY: '0' })).to.match(/^LOGIN_MAX_FAILURES_PER_DEVICE_PER_DAY:/m);
    expect(problemsOf({ TRUST_PROXY: 'TRUE' })).to.match(/^TRUST_PROXY:/m);
    expect(problemsOf({ TRUST_PROXY: 'loopback, not-an-address' })).to.match(/^TRUST_PROXY:/m);
    // A signing secret the list would split or trim could not be moved into it at the swap.
    for (const current of [`${'a'.repeat(20)},${'b'.repeat(20)}`, ` ${'c'.repeat(40)}`])
      expect(problemsOf({ JWT_ACCESS_SECRET: current, JWT_ACCEPTED_SECRETS: 'n'.repeat(40) }), current).to.match(
        /^JWT_ACCESS_SECRET: holds a comma or surrounding spaces/m,
      );
    expect(problemsOf({ JWT_ACCEPTED_SECRETS: 'short' })).to.match(/^JWT_ACCEPTED_SECRETS: each at least 32/m);
    const secret = 's'.repeat(40);
    expect(problemsOf({ JWT_ACCESS_SECRET: secret, JWT_ACCEPTED_SECRETS: `${'o'.repeat(40)},${secret}` })).to.match(
      /^JWT_ACCEPTED_SECRETS: holds JWT_ACCESS_SECRET itself/m,
    );
    expect(problemsOf({ JWT_ACCEPTED_SECRETS: ['a', 'b', 'c', 'd'].map((c) => c.repeat(40)).join(',') })).to.match(
      /^JWT_ACCEPTED_SECRETS: at most 3/m,
    );
    expect(parseConfig({ JWT_ACCEPTED_SECRETS: ` ${'o'.repeat(40)} , ${'p'.repeat(40)}` }).auth.jwtAcceptedSecrets).to.deep.equal(
      ['o'.repeat(40), 'p'.repeat(40)],
    );
    expect(problemsOf({ MAIL_PROVIDER: 'pigeon' })).to.match(/^MAIL_PROVIDER:/m);
    // A random match's call checks relayed candidates by address: TURN by host name needs them named.
    const turn = { TURN_SECRET: 't'.repeat(20) };
    expect(problemsOf({ ...turn, TURN_URLS: 'turn:turn.example.com:3478' })).to.match(/^TURN_RELAY_IPS: required/m);
    expect(problemsOf({ ...turn, TURN_URLS: 'turn:turn.example.com', TURN_RELAY_IPS: 'turn.example.com' })).to.match(
      /^TURN_RELAY_IPS:/m,
    );
    expect(
      parseConfig({ ...turn, TURN_URLS: 'turn:203.0.113.5:3478?transport=udp,turns:[2001:DB8::5]:5349' }).calls.turnRelayIps,
    ).to.deep.equal(['203.0.113.5', '2001:db8::5']);
    expect(
      parseConfig({ ...turn, TURN_URLS: 'turn:turn.example.com', TURN_RELAY_IPS: '198.51.100.1,2001:DB8:0:0::1' }).calls
        .turnRelayIps,
    ).to.deep.equal(['198.51.100.1', '2001:db8::1']);
    // One URL by name among IPs: the name may resolve to relays no one listed.
    expect(problemsOf({ ...turn, TURN_URLS: 'turn:203.0.113.5,turn:turn.example.com' })).to.match(/^TURN_RELAY_IPS: required/m);
    expect(problemsOf({ ...turn, TURN_URLS: 'turn:turn.example.com', TURN_RELAY_IPS: '::ffff:203.0.113.5' })).to.match(
      /^TURN_RELAY_IPS: write an IPv4 address as itself/m,
    );
    expect(problemsOf({ PLAN_GOLD_PRICES: '1:499.00' })).to.match(/^PLAN_GOLD_PRICES:/m);
    expect(problemsOf({ CHAT_KEYS: 'k1:c2hvcnQ=' })).to.match(/CHAT_KEYS: key "k1" is not 32 bytes/);
    expect(problemsOf({ CHAT_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`, CHAT_KEY_ID: 'k9' })).to.match(/^CHAT_KEY_ID:/m);
  });

  it('requires real settings in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['MONGODB_URI', 'JWT_ACCESS_SECRET', 'MAIL_PROVIDER', 'CORS_ORIGINS', 'CHAT_KEYS', 'RAZORPAY_KEY_ID'])
      expect(problems).to.include(name);
    const ok = parseConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb+srv://cluster.example/app',
      JWT_ACCESS_SECRET: 'p'.repeat(48),
      MAIL_PROVIDER: 'ses',
      CORS_ORIGINS: 'https://app.example',
      CHAT_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')},k2:${Buffer.alloc(32, 2).toString('base64')}`,
      RAZORPAY_KEY_ID: 'rzp_live_x',
      RAZORPAY_KEY_SECRET: 'live-key-secret',
      RAZORPAY_WEBHOOK_SECRET: 'live-webhook-secret',
    });
    expect(ok.payments.gateway).to.equal('razorpay');
    expect(ok.auth.bcryptCost).to.equal(12);
    expect(ok.chat.keyId, 'the newest key writes').to.equal('k2');
    expect([...ok.chat.keys.keys()]).to.deep.equal(['k1', 'k2']);
    expect(ok.cookies.secure).to.equal(true);

    // Several processes without Redis would each limit, revoke and track presence alone.
    const production = {
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb+srv://cluster.example/app',
      JWT_ACCESS_SECRET: 'p'.repeat(48),
      MAIL_PROVIDER: 'ses',
      CORS_ORIGINS: 'https://app.example',
      CHAT_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      RAZORPAY_KEY_ID: 'rzp_live_x',
      RAZORPAY_KEY_SECRET: 'live-key-secret',
      RAZORPAY_WEBHOOK_SECRET: 'live-webhook-secret',
    };
    // Whoever reads this repository has the development secret: never accepted in production.
    expect(problemsOf({ ...production, JWT_ACCEPTED_SECRETS: parseConfig({}).auth.jwtSecret })).to.match(
      /^JWT_ACCEPTED_SECRETS: holds the development secret/m,
    );
    expect(problemsOf({ ...production, APP_INSTANCES: '2' })).to.match(/^REDIS_URL: required in production with more than one/m);
    expect(problemsOf({ ...production, NODE_APP_INSTANCE: '1' })).to.match(/^REDIS_URL:/m);
    expect(parseConfig({ ...production, APP_INSTANCES: '2', REDIS_URL: 'redis://cache:6379' }).redisUrl).to.equal(
      'redis://cache:6379',
    );
    // Trusting any sender's X-Forwarded-For would let a client reaching the port pick its address.
    for (const anySender of ['true', '1', '2'])
      expect(problemsOf({ ...production, TRUST_PROXY: anySender }), anySender).to.match(/^TRUST_PROXY: trusts any sender/m);
    // Every entry must lie inside loopback, link-local or private space, however the public part is split.
    for (const [setting, publicEntry] of [
      ['0.0.0.0/1, 128.0.0.0/1, ::/1, 8000::/1', '0.0.0.0/1'],
      ['loopback, 128.0.0.0/1', '128.0.0.0/1'],
      ['9.0.0.0/8', '9.0.0.0/8'],
      ['10.0.0.0/7', '10.0.0.0/7'],
      ['172.16.0.0/11', '172.16.0.0/11'],
      ['10.0.0.0/255.0.0.0, 11.0.0.0/255.0.0.0', '11.0.0.0/255.0.0.0'],
      ['2600::/8', '2600::/8'],
      ['fc00::/6', 'fc00::/6'],
      ['::ffff:0.0.0.0/96', '::ffff:0.0.0.0/96'],
      ['::ffff:10.0.0.0/103', '::ffff:10.0.0.0/103'],
      ['loopback, 203.0.113.7', '203.0.113.7'],
    ] as const) {
      expect(problemsOf({ ...production, TRUST_PROXY: setting }), setting).to.include(
        `TRUST_PROXY: "${publicEntry}" reaches public addresses`,
      );
    }
    // ipaddr.js reads 011.0.0.0 as octal 9.0.0.0, and hex and whole numbers too: refused everywhere, not guessed at.
    for (const [setting, loose] of [
      ['011.0.0.0/8', '011.0.0.0/8'],
      ['0x0a.0.0.1', '0x0a.0.0.1'],
      ['loopback, 167772161', '167772161'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
    ] as const)
      expect(problemsOf({ TRUST_PROXY: setting }), setting).to.include(
        `TRUST_PROXY: "${loose}" is not a plainly written address`,
      );
    // Express refuses a /0 range itself: named at start-up too, not a crash in createApp.
    for (const everything of ['0.0.0.0/0', '::/0'])
      expect(problemsOf({ ...production, TRUST_PROXY: everything }), everything).to.match(/^TRUST_PROXY: invalid range/m);
    for (const proxy of [
      'loopback',
      'false',
      '0',
      '10.0.0.0/8',
      'loopback, 172.16.0.0/12',
      '172.31.4.0/24, 192.168.1.10',
      '10.20.0.0/255.255.0.0',
      'uniquelocal, linklocal',
      'fd12:3456::/48, fe80::/64, ::1',
      '::ffff:10.0.0.0/104',
    ])
      expect(() => parseConfig({ ...production, TRUST_PROXY: proxy }), proxy).to.not.throw();
    expect(parseConfig({ ...production, TRUST_PROXY: 'loopback' }).trustProxy).to.equal('loopback');
    expect(problemsOf({ RATE_LIMITS: 'comment:5@60,bogus:1@1' })).to.match(/^RATE_LIMITS: "bogus"/m);
    // Names every object has are not actions either.
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(problemsOf({ RATE_LIMITS: `${name}:1@60` })).to.match(new RegExp(`^RATE_LIMITS: "${name}"`, 'm'));
    }
    expect(parseConfig({ RATE_LIMITS: 'comment:5@60,write:-/100@30' }).limits.actions).to.deep.include({
      comment: { user: 5, ip: undefined, windowMs: 60_000 },
      write: { user: undefined, ip: 100, windowMs: 30_000 },
    });
  });

  it('stops the server at start-up with a message naming the variable', async () => {
    const run = runTs('server.ts', [], { PORT: 'not-a-port', NODE_ENV: 'development', LOG_LEVEL: 'silent' });
    expect(await run.exited).to.equal(1);
    expect(run.output()).to.match(/PORT:/);
  });
});

describe('.env.example', () => {
  it('documents every variable config reads, and parses as a valid config', async () => {
    const { readFileSync } = await import('node:fs');
    const dotenv = (await import('dotenv')).default;
    const { envSchema } = await import('../config/config.js');
    const parsed = dotenv.parse(readFileSync('.env.example'));
    expect(Object.keys(parsed).sort()).to.deep.equal(Object.keys(envSchema.shape).sort());
    expect(() => parseConfig(parsed)).to.not.throw();
  });
});
