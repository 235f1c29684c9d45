// An experiment of the bench, not part of the app: the app's own checkout and result handlers — the very
// modules Next.js runs for /payment.php and /api/intellectmoney/result, with the same database statements,
// logging, rate limiter and job workers — served by a plain node:http server instead of Next.js.
// `npm run bench` drives it like the app, so the difference between the two rows is what Next.js's request
// pipeline costs on our hot paths (docs/PERFORMANCE.md «What would meet the targets»).
// Run by bench/run.ts: node --import tsx bench/plain-front.ts <port>, with the app's environment.
import { createServer, type IncomingMessage } from "node:http";
import { POST as resultPost } from "../app/api/intellectmoney/result/route";
import { env } from "../lib/env";
import "../lib/register-workers";
import { stopBoss } from "../lib/jobs/queue";
import { startWorkers } from "../lib/jobs/workers";
import { handleCheckout } from "../app/api/insales/payment/checkout-http";

const port = Number(process.argv[2]);
const origin = `http://127.0.0.1:${port}`;

function route(url: string): ((request: Request) => Promise<Response>) | null {
  const path = url.split("?")[0];
  if (path === "/payment.php" || path === "/api/insales/payment") return handleCheckout;
  if (path === "/api/intellectmoney/result") return resultPost;
  return null;
}

async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return new Request(origin + req.url, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks) });
}

async function main() {
  env();
  await startWorkers();
  const server = createServer((req, res) => {
    const handler = route(req.url ?? "/");
    if (!handler || req.method !== "POST") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    void (async () => {
      try {
        const response = await handler(await toRequest(req));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("error");
      }
    })();
  });
  server.listen(port, "127.0.0.1", () => console.log("listening"));
  process.once("SIGTERM", () => {
    server.close();
    void stopBoss().finally(() => process.exit(0));
  });
}

void main();
