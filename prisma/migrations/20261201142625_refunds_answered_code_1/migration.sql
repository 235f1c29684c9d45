-- Refunds that IntellectMoney answered «успешно с предупреждениями» (Result.State.Code 1) were recorded
-- as FAILED before this release (docs/OPERATIONS.md «Refunds recorded as failed before the fix»). The
-- code of the answer was not stored, and the message was "IntellectMoney отказал: " followed by the
-- description, or by "код N" when the answer had none. So:
-- 1. "IntellectMoney отказал: код 1" is certainly such an answer (Result.State.Code 1, or an unfinished
--    OperationState.Code 1 — either may have moved money),
-- 2. a refusal whose description reads like a success or a warning may be one.
-- Both become UNCERTAIN with a note («Возможно, выполнено»), and refunds of their payments stop behind a
-- critical problem until the merchant checks the IntellectMoney account and clears it on the card.
-- A separate migration from the one adding UNCERTAIN (PostgreSQL cannot use an enum value in the
-- transaction that added it), and no temporary table: every statement stands on its own, in this order
-- (the rows are still FAILED while the problems and the blocks are written).
-- (No semicolon or apostrophe in these comments: the migration engine splits the script on semicolons.)

INSERT INTO "Problem" (id, "shopId", "paymentId", kind, message, "createdAt")
SELECT gen_random_uuid(), o."shopId", o."paymentId", 'refunds_blocked',
       'Возможно, выполнено: IntellectMoney ответил «успешно с предупреждениями» на возврат'
         || COALESCE(' ' || replace(to_char(o."amountKopecks" / 100.0, 'FM999999999990.00'), '.', ',')
                     || CASE WHEN p.currency = 'TST' THEN ' TST' ELSE ' ₽' END, '')
         || ' по заказу №' || COALESCE(p."orderNumber", p."insalesOrderId")
         || ', а приложение записало его как ошибку. Если возврат потом повторяли, деньги могли вернуться дважды. '
         || 'Возвраты по этому платежу остановлены: проверьте их в личном кабинете IntellectMoney и снимите остановку на карточке платежа.',
       now()
  FROM "PaymentOperation" o
  JOIN "Payment" p ON p.id = o."paymentId"
 WHERE o.kind = 'REFUND' AND o.state = 'FAILED' AND o."resultCode" IS NULL
   AND (o.message = 'IntellectMoney отказал: код 1'
        OR (o.message LIKE 'IntellectMoney отказал: %'
            AND (lower(o.message) LIKE '%успешн%' OR lower(o.message) LIKE '%предупрежд%'
                 OR lower(o.message) LIKE '%warning%' OR lower(o.message) LIKE '%success%')));

UPDATE "Payment" p
   SET "refundsBlockedAt" = now(),
       "refundsBlockedReason" = 'Возможно, выполнено: возврат, на который IntellectMoney ответил «успешно с предупреждениями», был записан как ошибка.'
 WHERE p."refundsBlockedAt" IS NULL
   AND EXISTS (
     SELECT 1 FROM "PaymentOperation" o
      WHERE o."paymentId" = p.id AND o.kind = 'REFUND' AND o.state = 'FAILED' AND o."resultCode" IS NULL
        AND (o.message = 'IntellectMoney отказал: код 1'
             OR (o.message LIKE 'IntellectMoney отказал: %'
                 AND (lower(o.message) LIKE '%успешн%' OR lower(o.message) LIKE '%предупрежд%'
                      OR lower(o.message) LIKE '%warning%' OR lower(o.message) LIKE '%success%'))));

UPDATE "PaymentOperation" o
   SET state = 'UNCERTAIN',
       "resultCode" = CASE WHEN o.message = 'IntellectMoney отказал: код 1' THEN 1 ELSE NULL END,
       note = CASE WHEN o.message = 'IntellectMoney отказал: код 1'
         THEN 'Возможно, выполнено: IntellectMoney ответил «успешно с предупреждениями» (код 1), а приложение до исправления записало ответ как ошибку.'
         ELSE 'Возможно, выполнено: ответ IntellectMoney похож на «успешно с предупреждениями», а приложение до исправления записало его как ошибку (код ответа тогда не сохранялся).'
       END,
       "updatedAt" = now()
 WHERE o.kind = 'REFUND' AND o.state = 'FAILED' AND o."resultCode" IS NULL
   AND (o.message = 'IntellectMoney отказал: код 1'
        OR (o.message LIKE 'IntellectMoney отказал: %'
            AND (lower(o.message) LIKE '%успешн%' OR lower(o.message) LIKE '%предупрежд%'
                 OR lower(o.message) LIKE '%warning%' OR lower(o.message) LIKE '%success%')));
