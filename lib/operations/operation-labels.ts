// The merchant's words for Merchant API operations, shared by the payment card, its timeline and the
// operations' own messages.
import type { OperationKind, OperationState } from "../generated/prisma/enums";

export const OPERATION_KIND_LABELS: Record<OperationKind, string> = {
  CAPTURE: "Списание захолдированной суммы",
  RELEASE: "Отмена холда",
  REFUND: "Возврат",
};

export const OPERATION_STATE_LABELS: Record<OperationState, string> = {
  REQUESTED: "запрошено",
  ACCEPTED: "принято IntellectMoney",
  FAILED: "ошибка",
  UNCERTAIN: "результат неизвестен",
};
