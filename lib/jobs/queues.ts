// Every queue with its retry policy. pg-boss 10 needs queues created before use (lib/jobs/queue.ts does).
// Workers live next to their use case and are registered in lib/jobs/workers.ts.
import type PgBoss from "pg-boss";

type Policy = Omit<PgBoss.Queue, "name">;

export const QUEUES = {
  /** Example/test queue used by the queue's own tests. */
  "test-echo": { retryLimit: 2, retryDelay: 1, retryBackoff: false },
  /** Create/update the shop's «Внешний способ оплаты» (lib/shops/connect-gateway-queue.ts, -job.ts). "stately" with
   *  singletonKey = shop id: at most one queued and one running per shop, so a click during a run queues
   *  exactly one follow-up and two runs never race on the same gateway. */
  "connect-gateway": { policy: "stately", retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 600 },
  /** Prove an install candidate by reading /admin/account.json with it (lib/shops/sync-account.ts);
   *  singletonKey = candidate id. The probe queues its own follow-ups on a back-off until the proof window
   *  ends; pg-boss retries only cover a crash or an unexpected error. A probe takes at most its 10 s timeout. */
  "sync-account": { policy: "stately", retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
  /** Every 5 minutes: discard install candidates whose proof job was lost, delete day-old ones
   *  (lib/shops/install-candidates-sweeper.ts). */
  "sweep-install-candidates": { policy: "singleton", retryLimit: 0, expireInSeconds: 300 },
  /** One e-mail (lib/mail/send-mail.ts); singletonKey = mail id, "stately": one waiting and one running per
   *  mail. Back-off from 5 s, doubling with jitter: 12 retries span about 6 to 11 hours. */
  "send-mail": { policy: "stately", retryLimit: 12, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 },
  /** Every 5 minutes: re-queue PENDING mails that lost their job (lib/mail/mail-sweeper.ts). */
  "sweep-mails": { policy: "singleton", retryLimit: 0, expireInSeconds: 300 },
  /** One notice to InSales (lib/notices/notify-insales.ts); singletonKey = notice id, "stately": one waiting
   *  and one running per notice. The worker schedules its own Retry-After/back-off follow-ups (bounded to
   *  ~24 h); pg-boss retries only cover a crash or an unexpected error inside the worker. An attempt takes
   *  at most the 20 s request timeout, so 60 s of expiry is safe and gets a crashed instance's notices
   *  going again within about a minute and a half (expiry + the 30 s maintenance interval). */
  "notify-insales": { policy: "stately", retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 60 },
  /** Every minute: re-queue PENDING notices that lost their job (lib/notices/notice-sweeper.ts). */
  "sweep-notices": { policy: "singleton", retryLimit: 0, expireInSeconds: 120 },
  /** Push the order-card widget's code to one shop (lib/widget/sync-widget.ts); singletonKey = shop id, "stately":
   *  one waiting and one running per shop. A push is a few API calls of at most 55 s each. */
  "sync-widget": { policy: "stately", retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 600 },
  /** Every 10 minutes: queue a widget push for shops connected before the widget existed, or whose code is older
   *  or whose last push failed a day ago (lib/widget/widget-backfill-sweeper.ts). */
  "sweep-widgets": { policy: "singleton", retryLimit: 0, expireInSeconds: 300 },
} satisfies Record<string, Policy>;

export type QueueName = keyof typeof QUEUES;
