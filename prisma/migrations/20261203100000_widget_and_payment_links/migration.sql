-- CreateEnum
CREATE TYPE "WidgetState" AS ENUM ('NOT_INSTALLED', 'INSTALLING', 'INSTALLED', 'FAILED', 'REMOVED');

-- AlterTable
ALTER TABLE "LoginNonce" ADD COLUMN     "returnTo" TEXT;

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "insalesNoticeChannel" TEXT NOT NULL DEFAULT 'server_url';

-- CreateTable
CREATE TABLE "ShopWidget" (
    "shopId" UUID NOT NULL,
    "state" "WidgetState" NOT NULL DEFAULT 'NOT_INSTALLED',
    "widgetId" TEXT,
    "secretEnc" TEXT,
    "pendingSecretEnc" TEXT,
    "codeVersion" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "syncedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopWidget_pkey" PRIMARY KEY ("shopId")
);

-- CreateTable
CREATE TABLE "PaymentLink" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "insalesOrderId" TEXT NOT NULL,
    "orderNumber" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT,
    "sentTo" TEXT,
    "openedAt" TIMESTAMP(3),
    "paymentId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ShopWidget_state_idx" ON "ShopWidget"("state");

-- CreateIndex
CREATE INDEX "PaymentLink_shopId_insalesOrderId_createdAt_idx" ON "PaymentLink"("shopId", "insalesOrderId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Payment_shopId_insalesOrderId_idx" ON "Payment"("shopId", "insalesOrderId");

-- AddForeignKey
ALTER TABLE "ShopWidget" ADD CONSTRAINT "ShopWidget_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentLink" ADD CONSTRAINT "PaymentLink_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
