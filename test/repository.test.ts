// The repository stands on its own: no file points at notes that live outside it, and every
// relative link of the documentation (and every docs/*.md#anchor a comment cites) resolves.
import t from "tap";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Folders that hold what builds and installs produce, never sources. */
const GENERATED = new Set([".git", "node_modules", "build", "dist", ".tap", "runs"]);

/** Tracked and new (not ignored) files, from git; a walk of the tree where there is no git. */
function repositoryFiles(): string[] {
  const git = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" });
  if (!git.error && git.status === 0) return git.stdout.split("\0").filter((f) => f && existsSync(join(ROOT, f)));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!GENERATED.has(entry.name)) walk(path);
      } else if (entry.isFile()) files.push(path);
    }
  };
  walk("");
  return files;
}

/** The file's text, or null for a binary file (one with a NUL byte, such as a PNG). */
function text(file: string): string | null {
  const bytes = readFileSync(join(ROOT, file));
  return bytes.includes(0) ? null : bytes.toString("utf8");
}

const files = repositoryFiles().filter((f) => !f.split(/[\\/]/).some((part) => GENERATED.has(part)));
const texts = new Map(files.flatMap((f) => {
  const body = text(f);
  return body === null ? [] : [[f, body] as const];
}));

// Built from pieces so that this file does not contain what it looks for.
const slash = "/";
const OUTSIDE_NOTES: readonly { what: string; pattern: RegExp }[] = [
  { what: "a notes folder (spec, research, notes)", pattern: new RegExp(`(?<![\\w.-])(?:spec|research|notes)${slash}`) },
  { what: "the shared folder beside the repository", pattern: new RegExp(`\\.\\.${slash}shared\\b|${slash}work${slash}shared\\b`) },
  { what: "a design note in capitals", pattern: new RegExp(`\\bDESIGN\\.md\\b`) },
  { what: "a section of a spec", pattern: new RegExp(`\\bspec(?:'s)? \\u00a7`) },
];

/** Every match of the outside-notes patterns in a text, as "line N: excerpt". */
function outsideReferences(body: string): string[] {
  const found: string[] = [];
  body.split("\n").forEach((line, i) => {
    for (const { what, pattern } of OUTSIDE_NOTES) {
      if (pattern.test(line)) found.push(`line ${i + 1} (${what}): ${line.trim().slice(0, 120)}`);
    }
  });
  return found;
}

t.test("the patterns catch each kind of outside reference and leave ordinary text alone", async (t) => {
  const caught = [
    ["see ", "spec", slash, "deepfill-v1.md section 3"].join(""),
    ["(", "research", slash, "lavapipe.md)"].join(""),
    ["`..", slash, "shared", slash, "DES", "IGN.md`"].join(""),
    ["README's design section says: see ", "DES", "IGN.md"].join(""),
    ["the checkpoint contract (", "notes", slash, "apis.md)"].join(""),
    ["Defaults are DeepFill's (spec ", "\u00a7", "6)"].join(""),
    ["see ", slash, "work", slash, "shared", slash, "x"].join(""),
  ];
  for (const line of caught) t.not(outsideReferences(line).length, 0, `caught: ${line}`);
  const ordinary = [
    "const spec: KernelSpec = { name: `matmul_${kernel}`, inputs: 2, outputs: 1 };",
    "launchElementwise(op, spec, [src], outShape, uniforms)",
    ["see ", "docs", slash, "design.md#layers and the ", "docs", slash, "model.md table"].join(""),
    "release-notes/1.0.md, keynotes/, kernelspec/ and sharedMask",
  ];
  for (const line of ordinary) t.same(outsideReferences(line), [], `left alone: ${line}`);
});

t.test("no file points at notes outside the repository", async (t) => {
  t.ok(texts.size > 50, `read ${texts.size} text files of the repository`);
  t.ok(texts.has("README.md") && texts.has("package.json"), "the listing includes the top-level files");
  for (const [file, body] of texts) {
    const found = outsideReferences(body);
    t.same(found, [], `${file} cites nothing outside the repository`);
  }
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors of a markdown file's headings (a repeated heading gets -1, -2, ...). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** Why a link from `from` (a repository path) to `target` does not resolve, or null when it does. */
function brokenLink(from: string, target: string): string | null {
  const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
  const path = pathPart === "" ? from : normalize(join(dirname(from), decodeURI(pathPart)));
  if (relative(ROOT, join(ROOT, path)).startsWith("..")) return `${target} leaves the repository`;
  if (!existsSync(join(ROOT, path))) return `${target}: no file ${path}`;
  if (anchor === undefined || !path.endsWith(".md") || statSync(join(ROOT, path)).isDirectory()) return null;
  const headings = anchors(readFileSync(join(ROOT, path), "utf8"));
  return headings.has(anchor) ? null : `${target}: ${path} has no heading with the anchor #${anchor}`;
}

const docs = [...texts.keys()].filter((f) => f === "README.md" || /^docs\/[^/]+\.md$/.test(f));

t.test("every relative link in README.md and docs/*.md resolves", async (t) => {
  t.ok(docs.includes("README.md") && docs.some((f) => f.startsWith("docs/")), `checking ${docs.join(", ")}`);
  for (const file of docs) {
    // Code blocks hold commands and code, not links.
    const prose = texts.get(file)!.replace(/```[\s\S]*?```/g, "");
    const links = [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
    const broken = links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l)).map((l) => brokenLink(file, l)).filter((b) => b !== null);
    t.same(broken, [], `${file}: ${links.length} links`);
  }
});

t.test("every docs/*.md#anchor cited in a source comment exists", async (t) => {
  let cited = 0;
  for (const [file, body] of texts) {
    if (docs.includes(file)) continue;
    for (const m of body.matchAll(/\bdocs\/[\w-]+\.md(?:#[\w-]+)?/g)) {
      cited++;
      const problem = brokenLink("", m[0]);
      if (problem) t.fail(`${file} cites ${problem}`);
    }
  }
  t.ok(cited > 0, `${cited} citations checked`);
});
