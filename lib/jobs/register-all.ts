// The list of every worker in the app. Importing a use case's worker module registers it.
// Add one import per queue; keep this file free of logic.
export {};
