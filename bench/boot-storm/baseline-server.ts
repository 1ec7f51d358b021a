// The boot storm's baseline: a bare node:http server answering one constant iPXE-sized script, run in its
// own process like the app. What the hardware, the kernel and Node's HTTP stack allow, with no framework,
// no database and no template.
import { createServer } from 'node:http';

const bytes = Number(process.env.BASELINE_BYTES ?? 1500);
const port = Number(process.env.BASELINE_PORT ?? 0);
const header = '#!ipxe\n';
const script = Buffer.from(`${header}${'#'.repeat(Math.max(0, bytes - header.length - 1))}\n`);

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': script.length,
    'cache-control': 'no-store',
  });
  res.end(script);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
