import next from "eslint-config-next";

/** Runtime code: what the built app runs (docs/ARCHITECTURE.md «The folder map»). Tests beside it are not. */
const RUNTIME = ["app/**", "lib/**", "components/**", "proxy.ts", "instrumentation.ts"];
const TESTS = ["**/*.test.ts", "**/*.test.tsx"];

const NO_TEST_CODE = [
  {
    regex: "^(@/|(\\.\\./)+|\\./)(tests|e2e|scripts|bench)(/|$)",
    message: "Runtime code imports no tests, stand-ins or scripts (docs/ARCHITECTURE.md convention 13).",
  },
  {
    regex: "(-test-support|test-smtp-server|/support/(test-db|test-env|use-test-database|wait-for))$",
    message: "Test support belongs to tests/support/ and is imported by tests only.",
  },
];

const ONLY_STORES_USE_DB = {
  regex: "(^@/lib/|(\\.\\./)+|\\./)db$",
  importNames: ["db"],
  message: "Use cases reach the database through their stores (`-store.ts`); open a transaction with inTransaction() (docs/ARCHITECTURE.md «Stores»).",
};

const config = [
  ...next,
  { ignores: ["lib/generated/**", ".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**"] },
  {
    // `useTestDatabase()` and Playwright's `use` fixture are not React hooks.
    files: ["**/*.test.ts", "e2e/**", "tests/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // Merchant screens link with plain <a> on purpose: every screen is rendered per request on the server,
    // so next/link's client navigation saves nothing and costs 3.3 kB of first-load JS per page
    // (app/(merchant)/layout.tsx, docs/PERFORMANCE.md). The rule was written for the pages/ router.
    files: ["app/**/*.tsx"],
    rules: { "@next/next/no-html-link-for-pages": "off" },
  },
  {
    // Test support lives in tests/ (docs/ARCHITECTURE.md convention 13), the stand-ins in e2e/, tooling in
    // scripts/ and bench/: the app never imports any of it, so none of it can reach a production bundle.
    // And use cases reach the database only through their stores (docs/ARCHITECTURE.md «Stores»): the
    // client, `db`, is imported by the files named below, nowhere else.
    files: RUNTIME,
    ignores: TESTS,
    rules: {
      "no-restricted-imports": ["error", { patterns: [...NO_TEST_CODE, ONLY_STORES_USE_DB] }],
      // Configuration once (docs/ARCHITECTURE.md convention 8): lib/env.ts parses process.env; everything
      // else asks it (env() for the configuration, the few start-up values beside it).
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/env.ts (docs/ARCHITECTURE.md convention 8)." },
      ],
    },
  },
  {
    // Where the database client may be imported: stores (`-store.ts`), read models (`-query.ts` and the
    // journal's, which are all read models), the job queue's INSERT, the key rotation tool, lib/db.ts.
    files: ["**/*-store.ts", "**/*-query.ts", "lib/journal/**", "lib/jobs/queue.ts", "lib/key-rotation.ts", "lib/db.ts"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: NO_TEST_CODE }] },
  },
  {
    // The only readers of process.env in runtime code: lib/env.ts, and instrumentation.ts, which must learn
    // which runtime Next is registering (NEXT_RUNTIME) before it may import anything Node-only.
    files: ["lib/env.ts", "instrumentation.ts"],
    rules: { "no-restricted-properties": "off" },
  },
];

export default config;
