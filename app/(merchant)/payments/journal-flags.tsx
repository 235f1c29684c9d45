// «Требует подтверждения» / «Применено без проверки» next to a payment's status, in the list and on the card
// (lib/journal/journal-labels.ts JOURNAL_FLAG_LABELS).
import { JOURNAL_FLAG_LABELS, journalFlagsOf } from "@/lib/journal/journal-labels";
import styles from "./journal.module.css";

export function JournalFlags({ pendingClaims, unverifiedResults }: { pendingClaims: number; unverifiedResults: boolean }) {
  const flags = journalFlagsOf({ pendingClaims, unverifiedResults });
  if (flags.length === 0) return null;
  return (
    <span className={styles.flags}>
      {flags.map((f) => (
        <span key={f} className={`${styles.flag} ${styles[`flag${f}`] ?? ""}`.trim()} data-testid="journal-flag" data-flag={f}>
          {JOURNAL_FLAG_LABELS[f]}
        </span>
      ))}
    </span>
  );
}
