// A payment's timeline: every event and operation, oldest first, in Moscow time (docs/PRODUCT.md flow 10:
// «received, verified, rejected and why»).
import type { TimelineItem } from "@/lib/journal/journal-query";
import { moscowTimeSeconds } from "@/lib/html/moscow-time";
import styles from "./timeline.module.css";

export function Timeline({ items }: { items: TimelineItem[] }) {
  if (items.length === 0) return <p className={styles.empty}>Событий пока нет.</p>;
  return (
    <ol className={styles.list} data-testid="timeline">
      {items.map((item) => (
        <li key={`${item.source}-${item.id}`} className={`${styles.item ?? ""} ${styles[item.tone] ?? ""}`.trim()} data-testid="timeline-item" data-type={item.type}>
          <div className={styles.head}>
            <time className={styles.time} dateTime={item.at.toISOString()}>
              {moscowTimeSeconds(item.at)}
            </time>
            <span className={styles.label}>{item.label}</span>
          </div>
          <p className={styles.message}>{item.message}</p>
          {item.details.length > 0 ? (
            <ul className={styles.details}>
              {item.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
