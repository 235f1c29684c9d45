// Vitest global setup: one migrated template database per run, dropped at the end.
import { createTemplateDatabase, dropDatabase, TEMPLATE_DB } from "./test-db";

export default async function setup() {
  await createTemplateDatabase(TEMPLATE_DB);
  process.env.TEST_TEMPLATE_DB = TEMPLATE_DB;
  return async () => {
    await dropDatabase(TEMPLATE_DB);
  };
}
