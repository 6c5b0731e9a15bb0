import { type AddressInfo, createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago, for programs that cannot be told to pick one
 * themselves (HAProxy refuses port 0; S3Proxy needs its endpoint before it starts). Another process
 * may take it meanwhile: callers retry or fail clearly.
 */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
