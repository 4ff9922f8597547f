/**
 * A TCP proxy for the fence tests, standing in for a stalled path to a
 * replica: a link can hold what the client sends (Redis never sees it), be
 * cut on the client's side only (Redis keeps the connection open), and let
 * what it held through later.
 */
import net from 'node:net';

/** One client connection through the proxy and its connection to Redis. */
export interface Link {
  client: net.Socket;
  server: net.Socket;
  /** Client bytes held back while the link is stalled. */
  held: Buffer[];
  stalled: boolean;
  /** Set once Redis closed its side. */
  serverClosed: boolean;
}

/** A TCP proxy to `port` whose links can be stalled, cut on the client side only, and released. */
export async function startProxy(port: number) {
  const links: Link[] = [];
  /** How many of the next links start stalled. */
  const stall = { next: 0 };
  const server = net.createServer((client) => {
    const upstream = net.createConnection({ host: '127.0.0.1', port });
    const link: Link = { client, server: upstream, held: [], stalled: stall.next > 0, serverClosed: false };
    if (stall.next > 0) stall.next--;
    links.push(link);
    client.on('data', (d: Buffer) => (link.stalled ? link.held.push(d) : upstream.write(d)));
    upstream.on('data', (d: Buffer) => client.writable && client.write(d));
    upstream.on('close', () => {
      link.serverClosed = true;
      client.destroy();
    });
    // A cut link keeps its Redis side open: that is the point.
    client.on('close', () => link.stalled || upstream.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    links,
    stall,
    close: () =>
      new Promise<void>((resolve) => {
        for (const l of links) {
          l.client.destroy();
          l.server.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
