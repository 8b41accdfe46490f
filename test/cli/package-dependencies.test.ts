import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * package.json tells the truth about what runs: `npm ci --omit=dev && profileflow serve` must work
 * (`.ci/omit-dev-check` proves it end to end), so src/ and bin/ load only `dependencies`; tests,
 * benchmarks and config files use only declared packages; and no declared package goes unused.
 * The web console (console/src, built by console/build.mjs with console/vite.config.mjs) is built by
 * the `prepare` script on that same production install, so what it and its build import at run time
 * are production dependencies too (its type-only imports may be devDependencies).
 */
const root = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const devDependencies = new Set(Object.keys(pkg.devDependencies ?? {}));
const builtins = new Set(builtinModules);

interface Use {
  file: string;
  pkg: string;
  /** `import type` / `export type`: erased before it runs. */
  typeOnly: boolean;
}

/** Every package a source file names in an import, export … from, import() or require(). */
function packageUses(file: string): Use[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const uses: Use[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    const name = packageOf(specifier);
    if (name) uses.push({ file: relative(root, file), pkg: name, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly === true);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if ((isImport || isRequire || isResolve(node.expression)) && arg && ts.isStringLiteralLike(arg))
        add(arg.text, false);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) add(arg.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

/** `require.resolve(…)`, `createRequire(…).resolve(…)`, `import.meta.resolve(…)` (not `path.resolve`). */
function isResolve(callee: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "resolve") return false;
  const on = callee.expression;
  if (ts.isIdentifier(on)) return on.text === "require";
  if (ts.isCallExpression(on))
    return ts.isIdentifier(on.expression) && on.expression.text === "createRequire";
  return ts.isMetaProperty(on);
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for paths and Node built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:"))
    return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "");
  return builtins.has(name) ? undefined : name;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(c|m)?(t|j)sx?$/.test(e.name) && !e.parentPath.includes("node_modules"))
    .map((e) => join(e.parentPath, e.name));
}

const runtimeFiles = [...sourceFiles(join(root, "src")), ...sourceFiles(join(root, "bin"))];
/** What `prepare` builds with: the console's sources (.ts/.tsx), its build script and vite config, the server's build. */
const consoleFiles = [
  ...sourceFiles(join(root, "console/src")),
  ...["console/build.mjs", "console/vite.config.mjs", "scripts/build-server.mjs"]
    .map((f) => join(root, f))
    .filter((f) => existsSync(f)),
];
const otherFiles = [
  ...sourceFiles(join(root, "test")),
  ...sourceFiles(join(root, "bench")),
  ...["vitest.config.ts", ".dependency-cruiser.cjs"].map((f) => join(root, f)).filter((f) => existsSync(f)),
];
const runtimeUses = runtimeFiles.flatMap(packageUses);
const consoleUses = consoleFiles.flatMap(packageUses);
const allUses = [...runtimeUses, ...consoleUses, ...otherFiles.flatMap(packageUses)];

/** The commands a package installs (`node_modules/<name>/package.json` "bin"). */
function binsOf(name: string): string[] {
  const file = join(root, "node_modules", name, "package.json");
  if (!existsSync(file)) return [];
  const { bin } = JSON.parse(readFileSync(file, "utf8")) as { bin?: string | Record<string, string> };
  if (typeof bin === "string") return [name.replace(/^@[^/]+\//, "")];
  return Object.keys(bin ?? {});
}

/** Words of the npm scripts and the CI scripts: a tool is used when one of its commands is among them. */
const scriptWords = new Set(
  [
    ...Object.values(pkg.scripts ?? {}),
    ...readdirSync(join(root, ".ci")).map((f) => readFileSync(join(root, ".ci", f), "utf8")),
  ]
    .join("\n")
    .split(/[\s;&|()"'`]+/),
);

describe("package.json dependencies", () => {
  it("src/ and bin/ load only dependencies (type-only imports excepted)", () => {
    const offending = runtimeUses
      .filter((u) => !dependencies.has(u.pkg) && !(u.typeOnly && devDependencies.has(u.pkg)))
      .map(
        (u) =>
          `${u.file} imports ${u.pkg} (${devDependencies.has(u.pkg) ? "a devDependency" : "undeclared"})`,
      );
    expect(offending).toEqual([]);
  });

  it("the console, its build and the server's build load only dependencies (`prepare` runs them on npm ci --omit=dev)", () => {
    expect(consoleFiles.some((f) => f.endsWith("build.mjs"))).toBe(existsSync(join(root, "console")));
    const offending = consoleUses
      .filter((u) => !dependencies.has(u.pkg) && !(u.typeOnly && devDependencies.has(u.pkg)))
      .map(
        (u) =>
          `${u.file} imports ${u.pkg} (${devDependencies.has(u.pkg) ? "a devDependency" : "undeclared"})`,
      );
    expect(offending).toEqual([]);
  });

  it("tests, benchmarks and config files import only declared packages", () => {
    const undeclared = allUses
      .filter((u) => !dependencies.has(u.pkg) && !devDependencies.has(u.pkg))
      .map((u) => `${u.file} imports undeclared ${u.pkg}`);
    expect(undeclared).toEqual([]);
  });

  it("every declared package is used: imported, the types of one that is, or a command the scripts run", () => {
    const imported = new Set(allUses.map((u) => u.pkg));
    const isUsed = (name: string): boolean => {
      if (imported.has(name)) return true;
      const typed = /^@types\/(.+)$/.exec(name)?.[1];
      if (typed) {
        const target = typed.includes("__") ? `@${typed.replace("__", "/")}` : typed;
        return target === "node" || imported.has(target);
      }
      return binsOf(name).some((b) => scriptWords.has(b));
    };
    expect([...dependencies, ...devDependencies].filter((n) => !isUsed(n))).toEqual([]);
  });

  it("a production dependency is one src/ or bin/ needs at run time, or the console's build", () => {
    const runtime = new Set([...runtimeUses, ...consoleUses].filter((u) => !u.typeOnly).map((u) => u.pkg));
    expect([...dependencies].filter((n) => !runtime.has(n))).toEqual([]);
  });
});
