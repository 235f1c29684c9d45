// A payment's status as a coloured pill with its Russian label (docs/PRODUCT.md flow 10).
import type { PaymentStatus } from "@/lib/generated/prisma/enums";
import { PAYMENT_STATUS_LABELS } from "@/lib/payments/state";
import styles from "./status-badge.module.css";
import ui from "./ui.module.css";

const CLASS: Record<PaymentStatus, string> = {
  CREATED: "created",
  HELD: "held",
  PARTIALLY_PAID: "partiallyPaid",
  PAID: "paid",
  PARTIALLY_REFUNDED: "partiallyRefunded",
  REFUNDED: "refunded",
  CANCELLED: "cancelled",
};

export function StatusBadge({ status }: { status: PaymentStatus }) {
  return (
    <span className={`${ui.badge ?? ""} ${styles.status ?? ""} ${styles[CLASS[status]] ?? ""}`.trim()} data-testid="status-badge" data-status={status}>
      {PAYMENT_STATUS_LABELS[status]}
    </span>
  );
}
