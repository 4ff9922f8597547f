/** A raw HTTP server standing in for a node's admin port, a florida seeds server or Dynomite Manager. */
import net from 'node:net';

/** An ordinary HTTP reply, as a florida or Dynomite Manager server writes it. */
export const httpReply = (type: string, body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/**
 * Writes `current` (as it is then) to every request, then closes, as a
 * Dynomite node's admin port does (and as florida and Dynomite Manager
 * servers end their replies); `requests` has each request line.
 */
export async function adminPort(
  first: Buffer | string,
): Promise<{ url: string; current: Buffer | string; requests: string[]; close(): Promise<void> }> {
  const state = { current: first, requests: [] as string[] };
  const server = net.createServer((socket) => {
    socket.once('data', (data) => {
      state.requests.push(data.toString('latin1').split('\r\n')[0]!);
      socket.end(state.current);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
