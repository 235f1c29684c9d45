// The `sweep-install-candidates` job (every 5 minutes, one instance at a time): a PENDING install candidate
// past its proof window whose probe job was lost (a crash between a probe and its follow-up) is discarded,
// and candidates older than a day are deleted. Without it an unproven call could hold one of its shop's
// places for ever, and the table would keep every forged call.
import { inTransaction } from "../db";
import { registerScheduledWorker } from "../jobs/workers";
import { log } from "../log";
import { discardInTx, KEEP_SECONDS, PROOF_WINDOW_SECONDS } from "./install-candidates";
import { candidateState, deleteCandidatesBefore, pendingCandidatesBefore } from "./install-store";

export const SWEEP_INSTALL_CANDIDATES_QUEUE = "sweep-install-candidates" as const;

/** Past the window a live probe job discards its candidate itself; this margin leaves it the time to. */
const MARGIN_SECONDS = 120;

export type SweepInstallCandidatesOutcome = { discarded: number; deleted: number };

export async function sweepInstallCandidates(options: { now?: Date } = {}): Promise<SweepInstallCandidatesOutcome> {
  const now = options.now ?? new Date();
  const stale = await pendingCandidatesBefore(new Date(now.getTime() - (PROOF_WINDOW_SECONDS + MARGIN_SECONDS) * 1000));
  for (const candidate of stale) {
    await inTransaction(async (tx) => {
      const row = await candidateState(tx, candidate.id);
      if (row?.state === "PENDING") await discardInTx(tx, row, "proof_window_passed", now);
    });
    log.warn({ candidateId: candidate.id, insalesId: candidate.insalesId, host: candidate.host }, "install: candidate never proven, discarded by the sweeper");
  }
  const deleted = await deleteCandidatesBefore(new Date(now.getTime() - KEEP_SECONDS * 1000));
  return { discarded: stale.length, deleted };
}

registerScheduledWorker(SWEEP_INSTALL_CANDIDATES_QUEUE, "*/5 * * * *", sweepInstallCandidates);
