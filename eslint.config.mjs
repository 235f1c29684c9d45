import next from "eslint-config-next";

const config = [
  ...next,
  { ignores: ["lib/generated/**", ".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**"] },
  {
    // `useTestDatabase()` and Playwright's `use` fixture are not React hooks.
    files: ["**/*.test.ts", "lib/testing/**", "e2e/**", "tests/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
];

export default config;
