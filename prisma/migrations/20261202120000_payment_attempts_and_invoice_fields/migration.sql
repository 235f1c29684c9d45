-- AlterEnum
ALTER TYPE "NoticeSummary" ADD VALUE 'SUPERSEDED';

-- AlterEnum
ALTER TYPE "DeliveryState" ADD VALUE 'SUPERSEDED';

-- DropIndex
DROP INDEX "Payment_shopId_transactionId_key";

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "invoiceFields" JSONB;

-- CreateIndex
CREATE UNIQUE INDEX "Payment_shopId_transactionId_attempt_key" ON "Payment"("shopId", "transactionId", "attempt");
