// What «Письма» shows in the «Уведомление» column.
import { mailKind } from "./kinds";

export function mailKindLabel(kind: number): string {
  return mailKind(kind)?.label ?? `Уведомление ${kind}`;
}
