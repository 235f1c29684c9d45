// A checkbox with a real <label for>, an optional note under the text and an optional error.
import type { ComponentPropsWithRef, ReactNode } from "react";
import { FieldError, describedBy } from "./form-field";
import styles from "./ui.module.css";

type Props = Omit<ComponentPropsWithRef<"input">, "type" | "id"> & { id: string; label: string; note?: ReactNode; error?: string };

export function CheckboxField({ id, label, note, error, ...input }: Props) {
  const noteId = note ? `${id}-note` : null;
  const aria = describedBy(id, { error });
  const describedByIds = [noteId, aria["aria-describedby"]].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <div className={styles.checkbox}>
        <input type="checkbox" id={id} {...input} aria-describedby={describedByIds} aria-invalid={aria["aria-invalid"]} />
        {/* The note stays outside the <label>, so the control's name is exactly the label (getByLabel). */}
        <div>
          <label htmlFor={id}>{label}</label>
          {note ? (
            <span id={noteId ?? undefined} className={styles.checkboxNote}>
              {note}
            </span>
          ) : null}
        </div>
      </div>
      <FieldError id={id} error={error} />
    </div>
  );
}
