-- AlterTable
ALTER TABLE "Problem" ADD COLUMN     "count" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "openCause" TEXT;

-- Problems written before this migration happened once, when they were created (not at migration time).
-- Their openCause stays NULL: they are never merged into, and new ones open beside them.
UPDATE "Problem" SET "lastSeenAt" = "createdAt";

-- CreateTable
CREATE TABLE "ShopCallBudget" (
    "shopId" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "used" INTEGER NOT NULL,

    CONSTRAINT "ShopCallBudget_pkey" PRIMARY KEY ("shopId","purpose")
);

-- CreateIndex
CREATE UNIQUE INDEX "Problem_shopId_kind_openCause_key" ON "Problem"("shopId", "kind", "openCause");
