// A labelled form control with its hint and its error next to it (docs/PRODUCT.md: every field error is
// shown next to the field, in Russian). The control itself is the child; give it `describedBy(...)`.
import type { ReactNode } from "react";
import styles from "./ui.module.css";

export function fieldHintId(id: string): string {
  return `${id}-hint`;
}

export function fieldErrorId(id: string): string {
  return `${id}-error`;
}

/** aria-describedby / aria-invalid for the control inside a FormField. */
export function describedBy(id: string, opts: { error?: string; hint?: boolean }) {
  const ids = [opts.hint ? fieldHintId(id) : null, opts.error ? fieldErrorId(id) : null].filter(Boolean);
  return { "aria-describedby": ids.length > 0 ? ids.join(" ") : undefined, "aria-invalid": opts.error ? true : undefined };
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={fieldErrorId(id)} className={styles.error} role="alert">
      {error}
    </p>
  );
}

export function FormField({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
      </label>
      {children}
      {hint ? (
        <p id={fieldHintId(id)} className={styles.hint}>
          {hint}
        </p>
      ) : null}
      <FieldError id={id} error={error} />
    </div>
  );
}
