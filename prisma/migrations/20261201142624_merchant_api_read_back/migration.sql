-- AlterEnum
ALTER TYPE "OperationState" ADD VALUE 'UNCERTAIN';

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "refundsBlockedAt" TIMESTAMP(3),
ADD COLUMN     "refundsBlockedReason" TEXT;

-- AlterTable
ALTER TABLE "PaymentOperation" ADD COLUMN     "note" TEXT,
ADD COLUMN     "operationCode" INTEGER,
ADD COLUMN     "readBackKopecks" BIGINT,
ADD COLUMN     "requestKey" TEXT,
ADD COLUMN     "resultCode" INTEGER;

-- CreateIndex
CREATE UNIQUE INDEX "PaymentOperation_paymentId_requestKey_key" ON "PaymentOperation"("paymentId", "requestKey");
