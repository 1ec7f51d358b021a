import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now. For a server whose PUBLIC_BOOT_URL must name its port before it
 * listens; another process could take the port in between, which the server's start then reports.
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}
