// Next.js start-up hook: validate the configuration once and start the job workers in the Node runtime.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  env(); // fail fast with a clear message on a bad configuration
  await import("./lib/register-workers");
  const { startWorkers } = await import("./lib/jobs/workers");
  await startWorkers();
}
