// A small coloured label: a state («Подключён»), a mode («Тестовый режим»).
import type { ReactNode } from "react";
import styles from "./ui.module.css";

export type BadgeTone = "neutral" | "ok" | "warn" | "danger";

export function Badge({ tone = "neutral", title, children }: { tone?: BadgeTone; title?: string; children: ReactNode }) {
  return (
    <span className={`${styles.badge} ${styles[tone]}`} title={title}>
      {children}
    </span>
  );
}
