// `npm run db:migrate`: applies pending migrations to DATABASE_URL (run by `npm start` too).
import { applyMigrations } from "../lib/db-migrations";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: DATABASE_URL is not set");
  process.exit(1);
}
const applied = await applyMigrations(url);
console.log(applied.length ? `db:migrate: applied ${applied.join(", ")}` : "db:migrate: database is up to date");
// The engine's connection pool would keep the process alive for its idle timeout (~10 s).
process.exit(0);
