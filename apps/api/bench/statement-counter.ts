import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients run: each simple
 * query (`Q`) and each extended-protocol `Execute` (`E`) is one, whether or not it was prepared;
 * a write is one whose text starts with insert, update or delete. It reads only what clients send
 * (no TLS: node-pg asks for none unless told to), so what it counts does not wait for the
 * server's statistics to be flushed.
 */
export interface StatementCounter {
  /** postgres:// URL that goes through the proxy. */
  url: string;
  counts(): { statements: number; writes: number };
  close(): Promise<void>;
}

const WRITE = /^\s*(insert|update|delete)\b/i;

/** The NUL-terminated string at `offset`, and the offset after it. */
function cString(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  return [buffer.toString('utf8', offset, end), end + 1];
}

export async function startStatementCounter(databaseUrl: string): Promise<StatementCounter> {
  const target = new URL(databaseUrl);
  let statements = 0;
  let writes = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let started = false;
    /** This connection's prepared statements by name ('' = the unnamed one), and what the bound portal runs. */
    const texts = new Map<string, string>();
    let bound = '';
    const run = (text: string) => {
      statements += 1;
      if (WRITE.test(text)) writes += 1;
    };
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        // The startup message has no type byte: a length, then the protocol version.
        const header = started ? 5 : 4;
        if (pending.length < header) break;
        const length = started ? pending.readInt32BE(1) + 1 : pending.readInt32BE(0);
        if (pending.length < length) break;
        if (started) {
          const type = String.fromCharCode(pending[0] as number);
          if (type === 'Q') run(cString(pending, 5)[0]);
          if (type === 'P') {
            const [name, next] = cString(pending, 5);
            texts.set(name, cString(pending, next)[0]);
          }
          if (type === 'B') bound = texts.get(cString(pending, cString(pending, 5)[1])[0]) ?? '';
          if (type === 'E') run(bound);
        }
        started = true;
        pending = pending.subarray(length);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);

  return {
    url: url.toString(),
    counts: () => ({ statements, writes }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
