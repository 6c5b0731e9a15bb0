import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy the test controls, standing between the API and PostgreSQL: `cut()` drops every
 * open connection and leaves new ones hanging unanswered (a partition, the harshest outage for a
 * client: nothing is refused, everything times out); `restore()` forwards again.
 */
export class TcpProxy {
  private server?: Server;
  private readonly open = new Set<Socket>();
  private readonly held = new Set<Socket>();
  private isCut = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    this.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.server?.once('listening', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  private accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.isCut) {
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    upstream.on('error', () => client.destroy());
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.open.add(from);
      from.on('close', () => {
        this.open.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  }

  cut(): void {
    this.isCut = true;
    for (const socket of this.open) socket.destroy();
  }

  restore(): void {
    this.isCut = false;
    for (const socket of this.held) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    this.restore();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
