// No import cycle between the folders of runtime code (docs/ARCHITECTURE.md «The folder map»). Each folder
// of lib/ holds one concern; when two folders import each other neither can be read, tested or moved on its
// own, and a newcomer cannot tell which one owns the rule. The check reads the imports of every runtime file
// (lib/, app/, components/, proxy.ts, instrumentation.ts; tests and lib/generated aside), draws the graph of
// folders — lib/<folder> for the files of a folder of lib/, each file directly under lib/ on its own, the
// directory of each file under app/, components/ as one — and fails on any cycle, naming the imports that
// make it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RUNTIME_DIRS = ["lib", "app", "components"];
const RUNTIME_FILES = ["proxy.ts", "instrumentation.ts"];

function runtimeFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (rel !== "lib/generated") walk(rel);
      } else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push(rel);
      }
    }
  };
  RUNTIME_DIRS.forEach(walk);
  return [...files, ...RUNTIME_FILES];
}

/** The repository file an import names, or null for a package. */
function resolveImport(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = specifier.slice(2);
  else if (specifier.startsWith(".")) base = path.posix.join(path.posix.dirname(from), specifier);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    try {
      if (statSync(path.join(ROOT, candidate)).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return base;
}

/** The node of the folder graph a file belongs to. */
function folderOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "lib") return parts.length > 2 ? `lib/${parts[1]}` : file.replace(/\.tsx?$/, "");
  if (parts[0] === "components") return "components";
  if (parts[0] === "app") return parts.slice(0, -1).join("/");
  return file;
}

type Edge = { from: string; to: string; via: string };

function folderGraph(): { edges: Map<string, Set<string>>; via: Edge[] } {
  const edges = new Map<string, Set<string>>();
  const via: Edge[] = [];
  for (const file of runtimeFiles()) {
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), "utf8"), true, true);
    for (const imported of info.importedFiles) {
      const target = resolveImport(file, imported.fileName);
      if (!target || target.startsWith("lib/generated/")) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      via.push({ from, to, via: `${file} → ${target}` });
    }
  }
  return { edges, via };
}

/** Strongly connected components with more than one folder (Tarjan): each is at least one cycle. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("architecture", () => {
  it("the folders of runtime code import each other without a cycle", () => {
    const { edges, via } = folderGraph();
    const report = cycles(edges).map((component) => {
      const inside = via.filter((e) => component.includes(e.from) && component.includes(e.to)).map((e) => `    ${e.from} → ${e.to}   (${e.via})`);
      return `cycle between ${component.join(", ")}:\n${inside.join("\n")}`;
    });
    expect(report.join("\n\n"), "folders that import each other").toBe("");
  });
});
