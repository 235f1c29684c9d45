// The list of every worker in the app. Importing a use case's worker module registers it.
// Add one import per queue; keep this file free of logic.
import "./shops/connect-gateway-job";
import "./shops/sync-account-job";
import "./shops/install-candidates-sweeper";
import "./mail/send-mail";
import "./mail/mail-sweeper";
import "./notices/notify-insales";
import "./notices/notice-sweeper";
import "./widget/sync-widget-job";
import "./widget/widget-backfill-sweeper";
export {};
