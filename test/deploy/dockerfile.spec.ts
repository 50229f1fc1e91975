import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LIBREOFFICE_DEBIAN_PACKAGES } from '@wopi/conversion';
import { REPO_ROOT, repoFile } from './deploy-tools';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** deploy/Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      stages.push({ name, from, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value] = instruction.args.split('=');
      args[name] = value;
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

const { args, stages } = parseDockerfile(repoFile('deploy/Dockerfile'));
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
/** A stage and the stages it is built FROM, nearest first. */
const lineage = (name: string): Stage[] => {
  const own = stage(name);
  const parent = stages.find((s) => s.name === own.from);
  return parent ? [own, ...lineage(parent.name)] : [own];
};
const all = (name: string, keyword: string): Instruction[] =>
  lineage(name)
    .reverse()
    .flatMap((s) => s.instructions.filter((i) => i.keyword === keyword));
const baseImage = (name: string): string => {
  const root = lineage(name).at(-1)!;
  return root.from.replace(/\$\{(\w+)\}/g, (_, arg: string) => args[arg]);
};
const effectiveUser = (name: string): string | undefined => all(name, 'USER').at(-1)?.args;
const installsLibreOffice = (name: string): boolean =>
  all(name, 'RUN').some((run) => /apt-get install[^&]*libreoffice/.test(run.args));

describe('deploy/Dockerfile', () => {
  it('has a build stage and the runtime targets api, worker and worker-converter', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime', 'api', 'worker', 'worker-converter']);
  });

  it('builds every stage on a current Node LTS, the major of .nvmrc', () => {
    const nvmrc = repoFile('.nvmrc').trim();
    for (const target of ['build', 'api', 'worker', 'worker-converter']) {
      const [, major] = /^node:(\d+)[.-]/.exec(baseImage(target)) ?? [];
      expect({ target, major: Number(major) }).toEqual({ target, major: Number(nvmrc) });
    }
    // Even majors are the LTS lines; 20 reached end of life in April 2026.
    expect(Number(nvmrc) % 2).toBe(0);
    expect(Number(nvmrc)).toBeGreaterThanOrEqual(22);
  });

  it.each(['api', 'worker', 'worker-converter'])('runs %s as a non-root user', (target) => {
    const user = effectiveUser(target);
    expect(user).toBeDefined();
    const [uid] = user!.split(':');
    expect(uid).not.toMatch(/^(root|0)$/);
    // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    expect(uid).toMatch(/^[1-9]\d*$/);
  });

  it('puts LibreOffice in the worker-converter image only', () => {
    expect(installsLibreOffice('worker-converter')).toBe(true);
    for (const target of ['build', 'runtime', 'api', 'worker']) expect(installsLibreOffice(target)).toBe(false);
    // The packages the converter itself names when soffice is missing (libs/conversion).
    const install = all('worker-converter', 'RUN').find((run) => /apt-get install[^&]*libreoffice/.test(run.args))!;
    for (const pkg of LIBREOFFICE_DEBIAN_PACKAGES) expect(install.args.split(' ')).toContain(pkg);
    const converterEnv = all('worker-converter', 'ENV').map((i) => i.args);
    expect(converterEnv.join(' ')).toMatch(/WORKER_JOBS=conversion\b/);
    expect(
      all('worker', 'ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/WORKER_JOBS=write-back,housekeeping\b/);
  });

  it('installs only production dependencies, without install scripts, in the runtime', () => {
    const installs = stage('runtime').instructions.filter(
      (i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args),
    );
    expect(installs).toHaveLength(1);
    expect(installs[0].args).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // No native Prisma engine (ADR 0003): nothing generates or downloads one at run time.
    const runtimeRuns = lineage('api').flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
    expect(runtimeRuns.map((i) => i.args).join('\n')).not.toMatch(/prisma (generate|migrate)|@prisma\/engines/);
    expect(all('api', 'COPY').some((i) => i.args.startsWith('--from=build /app/dist '))).toBe(true);
  });

  it('starts each target with its process and checks its health on the port it configures', () => {
    expect(all('api', 'CMD').at(-1)!.args).toBe('["node", "dist/apps/api/src/main.js"]');
    expect(all('worker', 'CMD').at(-1)!.args).toBe('["node", "dist/apps/worker/src/main.js"]');
    expect(all('worker-converter', 'CMD').at(-1)!.args).toBe('["node", "dist/apps/worker/src/main.js"]');
    expect(all('api', 'HEALTHCHECK').at(-1)!.args).toMatch(/"healthcheck\.cjs", "api"/);
    expect(all('worker', 'HEALTHCHECK').at(-1)!.args).toMatch(/"healthcheck\.cjs", "worker"/);
    expect(all('api', 'EXPOSE').map((i) => i.args)).toEqual(['3000']);
    expect(
      all('worker', 'ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/WORKER_HEALTH_PORT=8081/);
    expect(all('worker', 'EXPOSE').map((i) => i.args)).toEqual(['8081']);
    expect(
      all('api', 'ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/HOST=0\.0\.0\.0.*WORKER_HEALTH_HOST=0\.0\.0\.0/);
  });

  describe('with .dockerignore', () => {
    const patterns = repoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const toRegExp = (pattern: string): RegExp =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '%DEEP%')
          .replace(/\*\*/g, '.*')
          .replace(/\*/g, '[^/]*')
          .replace(/%DEEP%/g, '(.*/)?')}(/.*)?$`,
      );
    const ignored = (file: string): boolean => patterns.some((pattern) => toRegExp(pattern).test(file));

    it('keeps every file a COPY names in the build context', () => {
      const sources = stages
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
        .flatMap((i) => i.args.split(' ').slice(0, -1));
      expect(sources.length).toBeGreaterThan(5);
      for (const source of sources) {
        expect({ source, exists: existsSync(path.join(REPO_ROOT, source)), ignored: ignored(source) }).toEqual({
          source,
          exists: true,
          ignored: false,
        });
      }
    });

    it('keeps every source file the build compiles, and leaves out local state and tests', () => {
      const tracked = execFileSync('git', ['ls-files', 'apps', 'libs', 'prisma', 'scripts'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      })
        .split('\n')
        .filter(
          (file) => /^(apps|libs)\/[^/]+\/src\/.*\.ts$/.test(file) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(file),
        )
        .filter((file) => !file.split('/').includes('test'));
      expect(tracked.length).toBeGreaterThan(50);
      expect(tracked.filter(ignored)).toEqual([]);
      for (const local of ['node_modules', '.local/staging', 'dist/apps', '.git/config', 'apps/api/test/x.e2e-spec.ts'])
        expect({ local, ignored: ignored(local) }).toEqual({ local, ignored: true });
    });
  });
});
