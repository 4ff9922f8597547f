/**
 * A tiny RESP server for the tests: it stands in for a Dynomite node where a
 * real one answers what Redis cannot (`-ERR Peer: ...`), and closes the
 * connection on the commands Dynomite closes it on. It records every command
 * of every connection.
 */
import net from 'node:net';

/** What the server does with one command: a raw RESP reply, or `close` the connection. */
export type Answer = string | 'close';

/** A running fake node. */
export interface RespServer {
  port: number;
  /** Commands of each connection, in order (names upper case, then the arguments). */
  connections: string[][][];
  /** Closes every open connection (the server keeps listening). */
  dropConnections(): void;
  /** Holds every reply from now on (a node that stalls), in order, until {@link release}. */
  hold(): void;
  /** Writes the held replies and answers at once again. */
  release(): void;
  /** What happened, in order: `reply NAME` when a reply is written, `end` when a client ends its connection, `closed` when a connection is gone. */
  events: string[];
  close(): Promise<void>;
}

/** Commands a real Dynomite node closes the connection on (docs/design.md §8). */
const CLOSES = new Set(['CLIENT', 'SELECT', 'DBSIZE', 'COMMAND', 'RENAME', 'MULTI', 'BLPOP']);

/** Parses complete RESP arrays of bulk strings off the front of `buffer`. */
function parse(buffer: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const start = at;
    const line = (from: number) => {
      const end = buffer.indexOf('\r\n', from);
      return end < 0 ? undefined : { text: buffer.toString('latin1', from, end), next: end + 2 };
    };
    const head = line(at);
    if (!head || head.text[0] !== '*') return { commands, rest: buffer.subarray(start) };
    const count = Number(head.text.slice(1));
    at = head.next;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = line(at);
      if (!len) return { commands, rest: buffer.subarray(start) };
      const n = Number(len.text.slice(1));
      if (buffer.length < len.next + n + 2) return { commands, rest: buffer.subarray(start) };
      args.push(buffer.toString('latin1', len.next, len.next + n));
      at = len.next + n + 2;
    }
    commands.push([args[0]!.toUpperCase(), ...args.slice(1)]);
  }
}

/**
 * Starts a fake node on a free loopback port. `answer` decides each
 * command's reply; by default PING is `+PONG`, DYNO_CONFIG:* `+OK`, and
 * Dynomite's connection-closing commands close.
 */
export async function startRespServer(answer: (command: string[]) => Answer | undefined): Promise<RespServer> {
  const connections: string[][][] = [];
  const sockets = new Set<net.Socket>();
  const events: string[] = [];
  let held: (() => void)[] | undefined;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const log: string[][] = [];
    connections.push(log);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('close', () => {
      sockets.delete(socket);
      events.push('closed');
    });
    socket.on('end', () => events.push('end'));
    socket.on('error', () => {});
    socket.on('data', (data) => {
      const { commands, rest } = parse(Buffer.concat([pending, data]));
      pending = rest;
      for (const command of commands) {
        log.push(command);
        const reply = answer(command) ?? defaultAnswer(command);
        if (reply === 'close') {
          socket.destroy();
          return;
        }
        const write = () => {
          events.push(`reply ${command[0]}`);
          // As Redis does, the server closes the connection once QUIT is answered.
          if (command[0] === 'QUIT') socket.end(reply);
          else socket.write(reply);
        };
        if (held) held.push(write);
        else write();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    events,
    hold() {
      held ??= [];
    },
    release() {
      const writes = held ?? [];
      held = undefined;
      for (const w of writes) w();
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function defaultAnswer(command: string[]): Answer {
  const name = command[0]!;
  if (CLOSES.has(name)) return 'close';
  if (name === 'PING') return '+PONG\r\n';
  if (name.startsWith('DYNO_CONFIG:')) return '+OK\r\n';
  if (name === 'QUIT') return '+OK\r\n';
  return `-ERR unknown command '${name}'\r\n`;
}
