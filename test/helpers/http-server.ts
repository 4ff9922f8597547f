/** A tiny static HTTP server on 127.0.0.1 for pages under test, recording every request. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A response body and its content type. */
export interface Served {
  type: string;
  body: string | Buffer;
}

/** A running server: its base URL, the paths requested so far, and `close()`. */
export interface StaticServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `files` (by path, e.g. `/index.html`) on an ephemeral port; anything else is a 404. */
export async function serve(files: Record<string, Served>): Promise<StaticServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const file = files[path];
    res.writeHead(file ? 200 : 404, { 'content-type': file?.type ?? 'text/plain', 'cache-control': 'no-store' });
    res.end(file?.body ?? 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
