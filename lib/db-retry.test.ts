import { describe, expect, it } from "vitest";
import { retryDbWrite } from "./db-retry";

describe("retryDbWrite", () => {
  it("retries a failing write until it succeeds", async () => {
    let calls = 0;
    const value = await retryDbWrite("t", async () => {
      calls += 1;
      if (calls < 3) throw new Error("connection terminated");
      return "stored";
    }, [1, 1, 1]);
    expect([value, calls]).toEqual(["stored", 3]);
  });

  it("gives up after the last delay and throws the last error", async () => {
    let calls = 0;
    await expect(retryDbWrite("t", async () => {
      calls += 1;
      throw new Error(`down ${calls}`);
    }, [1, 1])).rejects.toThrow("down 3");
    expect(calls).toBe(3);
  });
});
