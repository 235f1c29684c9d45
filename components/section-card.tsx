// One titled section of a merchant screen.
import type { ReactNode } from "react";
import styles from "./ui.module.css";

export function SectionCard({ id, title, description, children }: { id: string; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className={styles.card} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className={styles.cardTitle}>
        {title}
      </h2>
      {description ? <p className={styles.cardDescription}>{description}</p> : null}
      {children}
    </section>
  );
}
