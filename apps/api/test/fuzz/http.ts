import { Agent, request } from 'node:http';
import type { Answer } from './contract-routes.js';

export interface RawRequest {
  method: string;
  /** Sent byte for byte: no normalisation of dot segments or encodings. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export class HangError extends Error {}

/** A keep-alive HTTP client that sends paths raw and fails a request that takes longer than `timeoutMs`. */
export class RawClient {
  private readonly agent: Agent;

  /**
   * `maxSockets`: requests beyond it wait in the client, so load tests lift it. `keepAlive: false`
   * for tests around server restarts and shutdowns: reusing a socket the server is closing at that
   * very moment gives ECONNRESET, the race every HTTP client must retry around.
   */
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
    { maxSockets = 16, keepAlive = true }: { maxSockets?: number; keepAlive?: boolean } = {},
  ) {
    this.agent = new Agent({ keepAlive, maxSockets });
  }

  send(req: RawRequest): Promise<Answer> {
    const url = new URL(this.baseUrl);
    const body = req.body === undefined || Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.path,
          agent: this.agent,
          headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy();
        reject(new HangError(`${req.method} ${req.path.slice(0, 200)}: no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
