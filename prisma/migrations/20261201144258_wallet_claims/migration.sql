-- CreateEnum
CREATE TYPE "ClaimState" AS ENUM ('PENDING', 'CONFIRMED', 'REJECTED', 'OUTDATED');

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "walletSecretKeyEnc" TEXT;

-- CreateTable
CREATE TABLE "PaymentClaim" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "paymentStatus" TEXT NOT NULL,
    "targetStatus" "PaymentStatus" NOT NULL,
    "paidKopecks" BIGINT NOT NULL,
    "refundKopecks" BIGINT,
    "imPaymentId" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "copies" INTEGER NOT NULL DEFAULT 1,
    "data" JSONB NOT NULL,
    "state" "ClaimState" NOT NULL DEFAULT 'PENDING',
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PaymentClaim_paymentId_createdAt_idx" ON "PaymentClaim"("paymentId", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentClaim_shopId_state_idx" ON "PaymentClaim"("shopId", "state");

-- AddForeignKey
ALTER TABLE "PaymentClaim" ADD CONSTRAINT "PaymentClaim_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentClaim" ADD CONSTRAINT "PaymentClaim_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Data: "unverifiedResults" now marks a payment whose money state was applied from a wallet notification
-- nobody could verify (shown as «применено без проверки» for the merchant to review: the app no longer
-- applies such notifications, it records them as claims). Every wallet invoice used to receive an
-- unverifiable status 3 («счёт создан»), which set the flag without touching money: a payment still in
-- CREATED has nothing to review, and keeping the flag would mark every unpaid wallet checkout. Payments
-- that moved (paid, cancelled, held, refunded) keep it.
UPDATE "Payment" SET "unverifiedResults" = false WHERE "unverifiedResults" AND "status" = 'CREATED';
