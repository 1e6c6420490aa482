import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import { webContentSecurityPolicy } from '../routes/web.routes.js';

/** The built web client as the API process serves it: page paths, assets, and what stays the API's. */
describe('serving the web client', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'devtinder-web-serving-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>',
  );
  writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("push", () => {})');
  const app = () => supertest(createApp({ config: { ...config, webDir: dir } }));

  it('answers every page path with the app, never cached, under its own content security policy', async () => {
    for (const page of [
      '/',
      '/index.html',
      '/chat/65a0c0ffee0000000000abcd',
      '/people/john.doe',
      '/admin/users',
      '/verify-email?token=abc',
    ]) {
      const res = await app().get(page).set('Accept', 'text/html');
      expect(res.status, page).to.equal(200);
      expect(res.text).to.include('id="root"');
      expect(res.headers['cache-control']).to.equal('no-cache');
      expect(res.headers['content-security-policy']).to.equal(webContentSecurityPolicy(config));
      expect(res.headers['cross-origin-opener-policy']).to.equal('same-origin-allow-popups');
    }
    // The page is revalidated at each load by its ETag (size and mtime to the millisecond):
    // unchanged, a 304; the API's bodies having none must not have taken the file's away.
    const page = await app().get('/').set('Accept', 'text/html');
    expect(page.headers.etag).to.be.a('string');
    const again = await app().get('/').set('Accept', 'text/html').set('If-None-Match', page.headers.etag!);
    expect(again.status).to.equal(304);
    const csp = webContentSecurityPolicy(config);
    expect(csp).to.include("script-src 'self'").and.include("frame-ancestors 'none'").and.include("object-src 'none'");
    expect(csp, 'no inline or eval scripts').to.not.match(/script-src[^;]*'unsafe-(inline|eval)'/);
  });

  it('serves hashed assets for a year and the service worker revalidated', async () => {
    const asset = await app().get('/assets/app-1a2b.js');
    expect(asset.status).to.equal(200);
    expect(asset.headers['cache-control']).to.include('max-age=31536000').and.include('immutable');
    const missing = await app().get('/assets/gone-0000.js').set('Accept', 'text/html');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('ROUTE_NOT_FOUND');
    expect(missing.text, 'a missing asset is not the page').to.not.include('id="root"');
    const worker = await app().get('/sw.js');
    expect(worker.status).to.equal(200);
    expect(worker.headers['cache-control']).to.equal('public, max-age=0');
  });

  it('leaves the API, media and health paths to themselves: a miss there is a JSON 404, not the page', async () => {
    for (const miss of [
      '/api/v1/nope',
      '/API/V1/nope',
      '/Media/nope',
      '/api/nope',
      '/media/nope',
      '/media/nope.webp',
      '//media/private/x/full.webp',
      '/healthz/x',
      '/socket.io/x',
      '/metrics/x',
    ]) {
      const res = await app().get(miss).set('Accept', 'text/html');
      expect(res.status, miss).to.equal(404);
      expect(res.text, miss).to.not.include('id="root"');
    }
    expect((await app().get('/healthz')).body).to.have.property('status');
  });

  it('is absent when nothing is built: the API alone, / is a JSON 404', async () => {
    const bare = supertest(createApp({ config: { ...config, webDir: path.join(dir, 'not-built') } }));
    const res = await bare.get('/').set('Accept', 'text/html');
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('ROUTE_NOT_FOUND');
  });

  it('allows exactly the origins the configured providers need', () => {
    const base = webContentSecurityPolicy(config);
    const withKeys = { ...config, payments: { ...config.payments, gateway: 'razorpay' as const } };
    const local = {
      ...config,
      payments: { ...config.payments, gateway: 'local' as const },
      oauth: { ...config.oauth, google: { ...config.oauth.google, webClientId: undefined } },
    };
    expect(webContentSecurityPolicy(withKeys)).to.include("script-src 'self' https://checkout.razorpay.com");
    expect(webContentSecurityPolicy(local)).to.include("script-src 'self'; ").and.include("frame-src 'none'");
    expect(base, 'Google sign-in is on in the test config').to.include('https://accounts.google.com/gsi/client');
    const s3 = {
      ...local,
      storage: {
        ...config.storage,
        provider: 's3' as const,
        s3: { ...config.storage.s3, bucket: 'pics', region: 'ap-south-1', endpoint: undefined },
      },
    };
    expect(webContentSecurityPolicy(s3)).to.include("img-src 'self' data: blob: https://pics.s3.ap-south-1.amazonaws.com");
  });
});
