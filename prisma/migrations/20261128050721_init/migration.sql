-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ShopStatus" AS ENUM ('ACTIVE', 'UNINSTALLED');

-- CreateEnum
CREATE TYPE "LegalForm" AS ENUM ('ORGANIZATION', 'INDIVIDUAL');

-- CreateEnum
CREATE TYPE "HoldMode" AS ENUM ('HOLD', 'NO_HOLD', 'CABINET');

-- CreateEnum
CREATE TYPE "GatewayState" AS ENUM ('NOT_CONNECTED', 'CONNECTING', 'CONNECTED', 'FAILED');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('CREATED', 'HELD', 'PARTIALLY_PAID', 'PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "NoticeSummary" AS ENUM ('NONE', 'PENDING', 'DELIVERED', 'FAILED');

-- CreateEnum
CREATE TYPE "DeliveryState" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateEnum
CREATE TYPE "MailState" AS ENUM ('STORED', 'PENDING', 'SENT', 'FAILED');

-- CreateEnum
CREATE TYPE "OperationKind" AS ENUM ('CAPTURE', 'RELEASE', 'REFUND');

-- CreateEnum
CREATE TYPE "OperationState" AS ENUM ('REQUESTED', 'ACCEPTED', 'FAILED');

-- CreateTable
CREATE TABLE "Shop" (
    "id" UUID NOT NULL,
    "insalesId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "status" "ShopStatus" NOT NULL DEFAULT 'ACTIVE',
    "apiPasswordEnc" TEXT,
    "title" TEXT,
    "ownerEmail" TEXT,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shopId" UUID NOT NULL,
    "legalForm" "LegalForm" NOT NULL DEFAULT 'ORGANIZATION',
    "eshopId" TEXT,
    "secretKeyEnc" TEXT,
    "testMode" BOOLEAN NOT NULL DEFAULT false,
    "preference" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "holdMode" "HoldMode" NOT NULL DEFAULT 'NO_HOLD',
    "invoiceLifetimeDays" INTEGER,
    "holdHours" INTEGER,
    "markPaidOnHold" BOOLEAN NOT NULL DEFAULT false,
    "walletFormId" TEXT,
    "walletLogin" TEXT,
    "mailKinds" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "notifyEmail" TEXT,
    "apiTokenEnc" TEXT,
    "signSecretEnc" TEXT,
    "receiptsEnabled" BOOLEAN NOT NULL DEFAULT false,
    "receiptInn" TEXT,
    "receiptGroup" TEXT,
    "receiptVatGoods" INTEGER,
    "receiptVatDelivery" INTEGER,
    "receiptSubjectType" INTEGER,
    "receiptMethodType" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSettings_pkey" PRIMARY KEY ("shopId")
);

-- CreateTable
CREATE TABLE "ShopGateway" (
    "shopId" UUID NOT NULL,
    "state" "GatewayState" NOT NULL DEFAULT 'NOT_CONNECTED',
    "gatewayId" TEXT,
    "passwordEnc" TEXT,
    "successUrl" TEXT,
    "failUrl" TEXT,
    "serverUrl" TEXT,
    "lastError" TEXT,
    "syncedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopGateway_pkey" PRIMARY KEY ("shopId")
);

-- CreateTable
CREATE TABLE "LoginNonce" (
    "id" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "shopId" UUID NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoginNonce_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Payment" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "transactionId" TEXT NOT NULL,
    "insalesShopIdRaw" TEXT NOT NULL,
    "amountRaw" TEXT NOT NULL,
    "orderKey" TEXT NOT NULL,
    "insalesOrderId" TEXT NOT NULL,
    "orderNumber" TEXT,
    "description" TEXT NOT NULL,
    "buyerEmail" TEXT,
    "buyerPhone" TEXT,
    "buyerName" TEXT,
    "verifiedBy" TEXT NOT NULL,
    "insalesPasswordSource" TEXT NOT NULL DEFAULT 'gateway',
    "legalForm" "LegalForm" NOT NULL,
    "imOrderId" TEXT NOT NULL,
    "eshopId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amountKopecks" BIGINT NOT NULL,
    "imPaymentId" TEXT,
    "unverifiedResults" BOOLEAN NOT NULL DEFAULT false,
    "status" "PaymentStatus" NOT NULL DEFAULT 'CREATED',
    "paidKopecks" BIGINT NOT NULL DEFAULT 0,
    "refundedKopecks" BIGINT NOT NULL DEFAULT 0,
    "noticeState" "NoticeSummary" NOT NULL DEFAULT 'NONE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentEvent" (
    "id" UUID NOT NULL,
    "shopId" UUID,
    "paymentId" UUID,
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InsalesNotice" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "paid" INTEGER NOT NULL,
    "state" "DeliveryState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InsalesNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Mail" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "paymentId" UUID,
    "kind" INTEGER NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "state" "MailState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Mail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Problem" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "paymentId" UUID,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Problem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentOperation" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "kind" "OperationKind" NOT NULL,
    "amountKopecks" BIGINT,
    "state" "OperationState" NOT NULL DEFAULT 'REQUESTED',
    "message" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentOperation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Shop_insalesId_key" ON "Shop"("insalesId");

-- CreateIndex
CREATE INDEX "LoginNonce_expiresAt_idx" ON "LoginNonce"("expiresAt");

-- CreateIndex
CREATE INDEX "Payment_shopId_createdAt_idx" ON "Payment"("shopId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Payment_shopId_status_createdAt_idx" ON "Payment"("shopId", "status", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Payment_shopId_orderNumber_idx" ON "Payment"("shopId", "orderNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_shopId_transactionId_key" ON "Payment"("shopId", "transactionId");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_shopId_imOrderId_key" ON "Payment"("shopId", "imOrderId");

-- CreateIndex
CREATE INDEX "PaymentEvent_paymentId_createdAt_idx" ON "PaymentEvent"("paymentId", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentEvent_shopId_createdAt_idx" ON "PaymentEvent"("shopId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "InsalesNotice_paymentId_paid_key" ON "InsalesNotice"("paymentId", "paid");

-- CreateIndex
CREATE UNIQUE INDEX "Mail_dedupeKey_key" ON "Mail"("dedupeKey");

-- CreateIndex
CREATE INDEX "Mail_shopId_createdAt_idx" ON "Mail"("shopId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Problem_shopId_resolvedAt_idx" ON "Problem"("shopId", "resolvedAt");

-- CreateIndex
CREATE INDEX "PaymentOperation_paymentId_createdAt_idx" ON "PaymentOperation"("paymentId", "createdAt");

-- AddForeignKey
ALTER TABLE "ShopSettings" ADD CONSTRAINT "ShopSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShopGateway" ADD CONSTRAINT "ShopGateway_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LoginNonce" ADD CONSTRAINT "LoginNonce_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentEvent" ADD CONSTRAINT "PaymentEvent_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentEvent" ADD CONSTRAINT "PaymentEvent_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InsalesNotice" ADD CONSTRAINT "InsalesNotice_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InsalesNotice" ADD CONSTRAINT "InsalesNotice_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Mail" ADD CONSTRAINT "Mail_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Mail" ADD CONSTRAINT "Mail_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Problem" ADD CONSTRAINT "Problem_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Problem" ADD CONSTRAINT "Problem_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentOperation" ADD CONSTRAINT "PaymentOperation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentOperation" ADD CONSTRAINT "PaymentOperation_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
