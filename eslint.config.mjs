import next from "eslint-config-next";

const config = [
  ...next,
  { ignores: ["lib/generated/**", ".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**"] },
  {
    // `useTestDatabase()` and Playwright's `use` fixture are not React hooks.
    files: ["**/*.test.ts", "lib/testing/**", "e2e/**", "tests/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // Merchant screens link with plain <a> on purpose: every screen is rendered per request on the server,
    // so next/link's client navigation saves nothing and costs 3.3 kB of first-load JS per page
    // (app/(merchant)/layout.tsx, docs/PERFORMANCE.md). The rule was written for the pages/ router.
    files: ["app/**/*.tsx"],
    rules: { "@next/next/no-html-link-for-pages": "off" },
  },
];

export default config;
