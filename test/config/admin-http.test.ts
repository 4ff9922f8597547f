import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchClusterDescribe, fetchDynomiteManager, fetchFloridaSeeds, requestAdmin } from '../../src/config/admin-http.js';
import { ConfigError, parseClusterDescribe, TopologySourceError } from '../../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/dynomite-admin/${name}`, import.meta.url));
const describeRaw = fixture('cluster_describe.raw');
const describeBody = describeRaw.subarray(describeRaw.indexOf('\r\n\r\n') + 4).toString('utf8');

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server that hands each connection and its first request bytes to `onRequest`. */
async function listen(onRequest: (socket: Socket, request: string) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let request = '';
    socket.on('data', (d) => {
      request += d.toString('latin1');
      if (request.includes('\r\n\r\n')) {
        requests.push(request);
        onRequest(socket, request);
      }
    });
  });
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const rejection = async (p: Promise<unknown>): Promise<TopologySourceError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TopologySourceError);
  return err as TopologySourceError;
};

describe('requestAdmin and fetchClusterDescribe', () => {
  it("reads the real node's reply, written byte for byte and closed, and sends one HTTP/1.0 GET", async () => {
    const { url, requests } = await listen((s) => s.end(describeRaw));
    const reply = await requestAdmin(url, '/cluster_describe');
    expect(reply.status).toBe(200);
    expect(reply.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(describeBody)),
    });
    expect(reply.body).toBe(describeBody);
    expect(requests[0]).toMatch(/^GET \/cluster_describe HTTP\/1\.0\r\nHost: 127\.0\.0\.1\r\n/);
    const peers = await fetchClusterDescribe(url.replace('http://', ''));
    expect(peers).toEqual(parseClusterDescribe(describeBody));
  });

  it('reassembles a reply split into one-byte writes', async () => {
    const { url } = await listen((s) => {
      let i = 0;
      const next = () => {
        if (i === describeRaw.length) return s.end();
        s.write(describeRaw.subarray(i, ++i), next);
      };
      next();
    });
    expect(await fetchClusterDescribe(url)).toEqual(parseClusterDescribe(describeBody));
  });

  it('stops at Content-Length when the server keeps the connection open', async () => {
    const { url } = await listen((s) => s.write(describeRaw));
    expect((await requestAdmin(url, '/cluster_describe', { timeoutMs: 60_000 })).body).toBe(describeBody);
  });

  it('refuses to request /', async () => {
    expect(() => requestAdmin('127.0.0.1:1', '/')).toThrow(TypeError);
    expect(() => requestAdmin('127.0.0.1:1', 'info')).toThrow(TypeError);
    expect(() => requestAdmin('127.0.0.1:1', '/a b')).toThrow(TypeError);
  });

  it('refuses a malformed url with a ConfigError naming it', () => {
    for (const url of ['https://h:1', 'h:1/x', 'h:99999', 'a b']) {
      expect(() => requestAdmin(url, '/info')).toThrow(ConfigError);
      expect(() => requestAdmin(url, '/info')).toThrow(`invalid url ${JSON.stringify(url)}`);
    }
    expect(() => requestAdmin(42 as unknown as string, '/info')).toThrow(TypeError);
  });

  it('reports a refused connection as SourceUnreachable', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const err = await rejection(fetchClusterDescribe(`127.0.0.1:${port}`));
    expect(err.kind).toBe('SourceUnreachable');
    expect(err.url).toBe(`http://127.0.0.1:${port}/cluster_describe`);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('reports a server that never answers as SourceTimeout', async () => {
    const { url } = await listen(() => {});
    const err = await rejection(fetchClusterDescribe(url, { timeoutMs: 200 }));
    expect(err.kind).toBe('SourceTimeout');
    expect(err.message).toMatch(/no complete reply within 200 ms/);
  });

  it('reports a 500, garbage, a cut-short body and an empty reply as SourceBadReply', async () => {
    const replies = [
      'HTTP/1.1 500 Internal Server Error \nContent-Length: 4 \r\n\r\noops',
      'garbage that is not http\r\n\r\n',
      'HTTP/1.1 200 OK \nContent-Length: 100 \r\n\r\n{"dcs":',
      '',
      'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    ];
    const messages = [
      /HTTP 500: oops/,
      /not an HTTP reply/,
      /closed after 7 of 100 body bytes/,
      /closed without replying/,
      /malformed header line/,
    ];
    for (const [i, text] of replies.entries()) {
      const { url } = await listen((s) => s.end(text));
      const err = await rejection(fetchClusterDescribe(url));
      expect(err.kind, text).toBe('SourceBadReply');
      expect(err.message).toMatch(messages[i]!);
    }
    const { url } = await listen((s) => s.end('HTTP/1.1 500 Internal Server Error\r\n\r\n'));
    expect((await rejection(fetchClusterDescribe(url))).status).toBe(500);
  });

  it('gives a malformed body as a ConfigError naming the URL', async () => {
    const body = '{"dcs":[{"name":"d","racks":[{"name":"r","servers":[{"name":"i","host":"h","port":1,"token":4294967296}]}]}]}';
    const { url } = await listen((s) => s.end(`HTTP/1.1 200 OK \nContent-Length: ${body.length} \r\n\r\n${body}`));
    const err = await fetchClusterDescribe(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`cluster_describe from ${url}: dcs[0].racks[0].servers[0].token: expected a u32, got 4294967296`);
  });
});

describe('fetchFloridaSeeds and fetchDynomiteManager', () => {
  it('GET their paths and parse the bodies', async () => {
    const seeds = '10.0.0.1:8101:r1:dc1:0|10.0.0.2:8101:r2:dc1:0';
    const dm = JSON.stringify([
      { token: '0', hostname: 'h1', ip: '10.0.0.1', zone: 'z', dc: 'd', port: '8101', secure_port: '8103', hashtag: '{}' },
    ]);
    const { url, requests } = await listen((s, req) => s.end(`HTTP/1.0 200 OK\r\n\r\n${req.includes('get_seeds') ? seeds : dm}`));
    expect((await fetchFloridaSeeds(url)).map((p) => p.rack)).toEqual(['r1', 'r2']);
    expect(await fetchDynomiteManager(url, { local: { host: 'h1' } })).toMatchObject({
      hashTag: '{}',
      peers: [{ isLocal: true, rack: 'z' }],
    });
    expect(requests.map((r) => r.split('\r\n')[0])).toEqual([
      'GET /REST/v1/admin/get_seeds HTTP/1.0',
      'GET /REST/v1/admin/cluster_describe HTTP/1.0',
    ]);
  });
});
