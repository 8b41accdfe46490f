/** The import table of docs/architecture.md, enforced in CI (`npm run lint`). */
const allowed = {
  core: [],
  config: ["core"],
  db: ["core"],
  connectors: ["core"],
  sandbox: ["core"],
  ingest: ["core"],
  iam: ["core"],
  profiles: ["ingest", "db", "core"],
  security: ["iam", "db", "core"],
  flows: ["connectors", "db", "core"],
  services: ["profiles", "flows", "ingest", "connectors", "security", "db", "core", "config"],
  api: ["services", "profiles", "flows", "ingest", "connectors", "security", "iam", "db", "core", "config"],
  console: [],
};
const forbidden = Object.entries(allowed).map(([from, ok]) => ({
  name: `${from}-imports`,
  comment: `src/${from} may import only: ${ok.length ? ok.join(", ") : "nothing of ours"} (docs/architecture.md)`,
  severity: "error",
  from: { path: `^src/${from}/` },
  to: { path: `^src/(?!(${[from, ...ok].join("|")})/)` },
}));
forbidden.push({
  name: "no-cli-from-layers",
  comment: "only cli/, demo/ (a scripted user of the whole server) and main.ts compose the layers",
  severity: "error",
  from: { path: "^src/(?!cli/|demo/|main\\.ts)" },
  to: { path: "^src/(cli/|main\\.ts)" },
});
forbidden.push({
  name: "no-compose-from-layers",
  comment: "src/compose/ holds composition-root pieces: only main.ts, cli/ and demo/ import them",
  severity: "error",
  from: { path: "^src/(?!cli/|demo/|compose/|main\\.ts)" },
  to: { path: "^src/compose/" },
});
// src/ runs in production installs (`npm ci --omit=dev`, proved by .ci/omit-dev-check): it may load
// only `dependencies`. test/cli/package-dependencies.test.ts also checks that none goes unused.
forbidden.push(
  {
    name: "not-to-dev-dep",
    comment: "src/ may not import a devDependency (absent after npm ci --omit=dev); move it to dependencies",
    severity: "error",
    from: { path: "^src/" },
    to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
  },
  {
    name: "no-non-package-json",
    comment: "src/ may import only packages declared in package.json",
    severity: "error",
    from: { path: "^src/" },
    to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
  },
);
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    exclude: { path: "\\.test\\.ts$" },
    tsConfig: { fileName: "tsconfig.json" },
  },
};
