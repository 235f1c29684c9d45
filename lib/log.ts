// Structured JSON logs (pino) with secrets and buyers' contacts redacted
// (docs/ARCHITECTURE.md conventions 9 and 10).
import pino from "pino";
import { logLevel } from "./env";

const REDACT = [
  "password", "token", "token2", "token3", "signature", "hash", "secretKey", "secret", "email", "phone",
  "user_email", "userEmail", "apiPassword", "apiToken", "signSecret", "authorization", "cookie", "sig",
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export const log = pino({
  level: logLevel(),
  base: { service: "intellectmoney-insales" },
  redact: { paths: REDACT, censor: "[redacted]" },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof log;
