import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the SES stand-in that a test can make refuse mail (503, as SES
 * does when throttled or down) or hold it unanswered (a send under way): the app is built with
 * one endpoint, so an outage is staged here rather than by swapping the provider. POST
 * /__outage with `on`, `hold` or `off` switches it (`off` lets held mail on); everything else
 * (sending, /store) goes on to the stand-in untouched.
 */
export async function startSesFront(target: string): Promise<{ server: Server; endpoint: string }> {
  const upstream = new URL(target);
  let mode = 'off';
  const held: (() => void)[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/__outage' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        mode = ['on', 'hold'].includes(body.trim()) ? body.trim() : 'off';
        if (mode === 'off') held.splice(0).forEach((release) => release());
        res.end(mode);
      });
      return;
    }
    if (mode === 'hold' && req.url !== '/store') return void held.push(() => forward(req, res));
    if (mode === 'on' && req.url !== '/store') {
      req.resume();
      res
        .writeHead(503, { 'content-type': 'text/xml' })
        .end('<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>');
      return;
    }
    forward(req, res);
  });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const onward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    onward.on('error', () => res.writeHead(502).end());
    req.pipe(onward);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
