-- CreateEnum
CREATE TYPE "InstallCandidateState" AS ENUM ('PENDING', 'DISCARDED');

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "sessionGeneration" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "InstallCandidate" (
    "id" UUID NOT NULL,
    "insalesId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "apiPasswordEnc" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "newTenant" BOOLEAN NOT NULL,
    "sourceAddress" TEXT NOT NULL,
    "state" "InstallCandidateState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastTriedAt" TIMESTAMP(3),
    "failedAfterUnlock" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "discardedAt" TIMESTAMP(3),

    CONSTRAINT "InstallCandidate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InstallCandidate_insalesId_state_createdAt_idx" ON "InstallCandidate"("insalesId", "state", "createdAt");

-- CreateIndex
CREATE INDEX "InstallCandidate_insalesId_sourceAddress_state_idx" ON "InstallCandidate"("insalesId", "sourceAddress", "state");

-- CreateIndex
CREATE INDEX "InstallCandidate_newTenant_createdAt_idx" ON "InstallCandidate"("newTenant", "createdAt");

-- CreateIndex
CREATE INDEX "InstallCandidate_createdAt_idx" ON "InstallCandidate"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "InstallCandidate_insalesId_fingerprint_key" ON "InstallCandidate"("insalesId", "fingerprint");
