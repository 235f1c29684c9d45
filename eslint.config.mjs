import next from "eslint-config-next";

export default [
  ...next,
  { ignores: ["lib/generated/**", ".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**"] },
  {
    // `useTestDatabase()` and Playwright's `use` fixture are not React hooks.
    files: ["**/*.test.ts", "lib/testing/**", "e2e/**", "tests/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
];
