// Bench-only preload (node --require) for the app under test, serving on 127.0.0.1:$BENCH_PG_COUNTER_PORT:
//   GET /            the number of SQL round trips so far: pg.Client#query is wrapped (Prisma's adapter-pg
//                    and pg-boss both go through it; node-postgres does not pipeline, so one call is one
//                    round trip)
//   GET /prof/start  start the V8 CPU profiler (--cpu-prof is not allowed in NODE_OPTIONS)
//   GET /prof/stop?file=/abs/path.cpuprofile  stop it and write the profile
//   GET /mem         process.memoryUsage()
"use strict";
const port = Number(process.env.BENCH_PG_COUNTER_PORT || 0);
if (port) {
  const pg = require("pg");
  const inspector = require("node:inspector");
  const fs = require("node:fs");
  let count = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    count += 1;
    return original.apply(this, args);
  };
  let session = null;
  require("node:http")
    .createServer((req, res) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname === "/prof/start") {
        session = new inspector.Session();
        session.connect();
        session.post("Profiler.enable", () => session.post("Profiler.start", () => res.end("started")));
        return;
      }
      if (url.pathname === "/prof/stop" && session) {
        session.post("Profiler.stop", (err, { profile }) => {
          fs.writeFileSync(url.searchParams.get("file"), JSON.stringify(profile));
          session.disconnect();
          session = null;
          res.end(err ? String(err) : "written");
        });
        return;
      }
      if (url.pathname === "/mem") return res.end(JSON.stringify(process.memoryUsage()));
      res.end(String(count));
    })
    .on("error", () => {}) // a forked child of the same process tree: the parent already serves
    .listen(port, "127.0.0.1")
    .unref();
}
