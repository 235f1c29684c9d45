// `npm run keys:rotate`: re-encrypts every stored secret with ENCRYPTION_KEY (see lib/key-rotation.ts).
import { disconnectDb } from "../lib/db";
import { rotateSecrets } from "../lib/key-rotation";

const result = await rotateSecrets();
console.log(`keys:rotate: checked ${result.checked} secrets, re-encrypted ${result.reencrypted}`);
await disconnectDb();
