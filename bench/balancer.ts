import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';

/**
 * A TCP balancer in front of the app processes for the fault runs. Like the shipped nginx
 * config, a refused connection (a killed process) is tried on the next backend at once;
 * unlike it, connections take the backends in turn rather than by client address, which
 * spreads one machine's clients over both. Open connections are piped as they are, so a
 * WebSocket stays on the process it reached.
 */
export async function startBalancer(ports: number[]): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pause();
    const attempt = (tries: number) => {
      const port = ports[next++ % ports.length]!;
      const upstream = tcpConnect(port, '127.0.0.1');
      const refused = () => (tries > 1 ? attempt(tries - 1) : client.destroy());
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(ports.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
