/**
 * Model-based test of the save path's lock and version rules: random sequences of Lock,
 * RefreshLock, UnlockAndRelock, Unlock, GetLock, PutFile, GetFile and CheckFileInfo from three
 * WOPI clients (two users, each client with its own access token and lock IDs, some lock IDs shared
 * as Office co-authoring shares them), each sent over HTTP to one of two api processes, against
 * the real demo core app. Every answer is checked against the reference model in wopi-file.model.ts.
 * A real worker writes saves back to the core app, at the points the generator picks (a WriteBack
 * step), so GetFile and CheckFileInfo are checked both before and after a save reached the core
 * app, and a seed replays the same run.
 *
 * CI runs a fixed seed and a bounded number of runs. A longer run, or another seed:
 *   MODEL_TEST_RUNS=500 MODEL_TEST_SEED=42 npm run test:model
 * A failure prints the seed, the replay path and the shrunk command sequence; replay it with
 *   MODEL_TEST_SEED=<seed> MODEL_TEST_PATH=<path> npm run test:model
 */
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { PrismaClient } from '@wopi/db';
import { loadEnv, WorkerEnv } from '@wopi/tenancy';
import { WopiHeader } from '@wopi/wopi';
import type { Worker } from 'bullmq';
import fc from 'fast-check';
import { createWorker } from '../../apps/worker/src/create-worker';
import { WriteBackProcessor } from '../../apps/worker/src/write-back/write-back.processor';
import { privateGatewayEnv } from '../support/private-gateway';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { type RunningDemoCore, startDemoCore } from '../support/demo-core';
import { baseTestEnv } from '../support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../support/test-tenant';
import { waitFor } from '../support/wait-for';
import { expectedFileInfo, type FileModel, recordSave, type Verdict, wopiRules } from './wopi-file.model';

const SEED = Number(process.env.MODEL_TEST_SEED ?? 20261201);
const RUNS = Number(process.env.MODEL_TEST_RUNS ?? 20);
const REPLAY_PATH = process.env.MODEL_TEST_PATH;
const MAX_COMMANDS = 40;
/**
 * The Content-Types PutFile bodies are sent with, as real clients vary them (undefined: no
 * header). The WOPI routes read raw bytes whatever the type (docs/adr/0016), so all are sent.
 */
const PUT_FILE_CONTENT_TYPES: (string | undefined)[] = [
  'application/octet-stream',
  undefined,
  'text/plain',
  'application/json',
  'application/x-www-form-urlencoded',
];
const API_PROCESSES = 2;
const LOG_TAIL_CHARS = 6_000;
// One request of a healthy gateway takes milliseconds; this only turns a hang into a failure.
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The WOPI clients. Each has its own editor session (access token); B and C are one user in two
 * browser tabs. Lock IDs are the client's own, except the "cowork" ones, which several clients
 * send, as co-authoring Office clients share one lock.
 */
const CLIENTS = [
  { name: 'A', userId: 'alice', lockIds: ['A-1', 'A-2', 'cowork-1'] },
  { name: 'B', userId: 'bob', lockIds: ['B-1', 'cowork-1', '{"S":"cowork-2","E":2}'] },
  { name: 'C', userId: 'bob', lockIds: ['C-1', '{"S":"cowork-2","E":2}'] },
] as const;

/** How often each command got each status, over all runs: evidence of what the runs exercised. */
const answersSeen = new Map<string, number>();

/** Who sends a command, and to which api process. */
interface Sender {
  client: number;
  api: number;
}

/** The system under test for one run: the api processes and each client's session on one new file. */
interface Gateway {
  apis: ApiProcess[];
  sessions: { fileId: string; accessToken: string }[];
  /** Lets the worker write back every save of this file waiting for the core app, then stops it again. */
  deliverWriteBacks(): Promise<void>;
  /** Whether every save so far reached the core app: GetFile then reads the core app, not staging. */
  delivered: boolean;
}

interface WopiAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

async function wopi(
  gateway: Gateway,
  { client, api }: Sender,
  request: { method: 'GET' | 'POST'; contents?: boolean; headers?: Record<string, string>; body?: Buffer },
): Promise<WopiAnswer> {
  const { fileId, accessToken } = gateway.sessions[client];
  const url = `${gateway.apis[api].url}/wopi/files/${fileId}${request.contents ? '/contents' : ''}?access_token=${encodeURIComponent(accessToken)}`;
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** Every check goes through here: the answer as a client sees it, and what the model expects. */
function expectAnswer<T>(seen: T, expected: T): void {
  expect(seen).toEqual(expected);
}

/**
 * Checks a lock or save answer against the model's verdict: 200 with the item version the
 * verdict implies, or 409 naming the current lock. Returns the X-WOPI-ItemVersion received.
 */
function expectVerdict(answer: WopiAnswer, verdict: Verdict, itemVersion?: string): string | null {
  const received = answer.headers.get(WopiHeader.ItemVersion);
  if (verdict.status === 409) {
    expectAnswer(
      { status: answer.status, lock: answer.headers.get(WopiHeader.Lock) },
      { status: 409, lock: verdict.currentLock },
    );
  } else {
    expectAnswer(
      { status: answer.status, itemVersion: received },
      { status: 200, itemVersion: itemVersion ?? received },
    );
  }
  return received;
}

abstract class WopiCommand implements fc.AsyncCommand<FileModel, Gateway> {
  constructor(protected readonly sender: Sender) {}
  /** Every request may be sent in any state: the model says what it must get. */
  check(): boolean {
    return true;
  }
  async run(file: FileModel, gateway: Gateway): Promise<void> {
    const { status, because } = await this.send(file, gateway);
    const key = `${this.describe().split('(')[0]} ${status}${because ? ` (${because})` : ''}`;
    answersSeen.set(key, (answersSeen.get(key) ?? 0) + 1);
  }
  /**
   * Sends the request, checks the answer against the model and updates the model; returns the
   * status and, for a rule with cases, the case that applied.
   */
  protected abstract send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }>;
  protected abstract describe(): string;
  toString(): string {
    return `${CLIENTS[this.sender.client].name}@api${this.sender.api} ${this.describe()}`;
  }
}

class LockCommand extends WopiCommand {
  constructor(
    sender: Sender,
    private readonly lockId: string,
  ) {
    super(sender);
  }
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const verdict = wopiRules.lock(file, this.lockId);
    const answer = await wopi(gateway, this.sender, {
      method: 'POST',
      headers: { [WopiHeader.Override]: 'LOCK', [WopiHeader.Lock]: this.lockId },
    });
    expectVerdict(answer, verdict, file.version);
    if (verdict.status === 200) file.lock = verdict.lockAfter;
    return { status: answer.status, because: verdict.because };
  }
  protected describe(): string {
    return `Lock(${this.lockId})`;
  }
}

class RefreshLockCommand extends WopiCommand {
  constructor(
    sender: Sender,
    private readonly lockId: string,
  ) {
    super(sender);
  }
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const verdict = wopiRules.refreshLock(file, this.lockId);
    const answer = await wopi(gateway, this.sender, {
      method: 'POST',
      headers: { [WopiHeader.Override]: 'REFRESH_LOCK', [WopiHeader.Lock]: this.lockId },
    });
    // RefreshLock's answer has no X-WOPI-ItemVersion in the spec: only the status and lock count.
    expectVerdict(answer, verdict);
    if (verdict.status === 200) file.lock = verdict.lockAfter;
    return { status: answer.status, because: verdict.because };
  }
  protected describe(): string {
    return `RefreshLock(${this.lockId})`;
  }
}

class UnlockCommand extends WopiCommand {
  constructor(
    sender: Sender,
    private readonly lockId: string,
  ) {
    super(sender);
  }
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const verdict = wopiRules.unlock(file, this.lockId);
    const answer = await wopi(gateway, this.sender, {
      method: 'POST',
      headers: { [WopiHeader.Override]: 'UNLOCK', [WopiHeader.Lock]: this.lockId },
    });
    expectVerdict(answer, verdict, file.version);
    if (verdict.status === 200) file.lock = verdict.lockAfter;
    return { status: answer.status, because: verdict.because };
  }
  protected describe(): string {
    return `Unlock(${this.lockId})`;
  }
}

class UnlockAndRelockCommand extends WopiCommand {
  constructor(
    sender: Sender,
    private readonly oldLockId: string,
    private readonly lockId: string,
  ) {
    super(sender);
  }
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const verdict = wopiRules.unlockAndRelock(file, this.oldLockId, this.lockId);
    const answer = await wopi(gateway, this.sender, {
      method: 'POST',
      headers: {
        [WopiHeader.Override]: 'LOCK',
        [WopiHeader.OldLock]: this.oldLockId,
        [WopiHeader.Lock]: this.lockId,
      },
    });
    expectVerdict(answer, verdict, file.version);
    if (verdict.status === 200) file.lock = verdict.lockAfter;
    return { status: answer.status, because: verdict.because };
  }
  protected describe(): string {
    return `UnlockAndRelock(${this.oldLockId} -> ${this.lockId})`;
  }
}

class GetLockCommand extends WopiCommand {
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const answer = await wopi(gateway, this.sender, { method: 'POST', headers: { [WopiHeader.Override]: 'GET_LOCK' } });
    // GetLock: 200 with X-WOPI-Lock, '' when unlocked.
    expectAnswer(
      { status: answer.status, lock: answer.headers.get(WopiHeader.Lock) },
      { status: 200, lock: file.lock },
    );
    return { status: answer.status };
  }
  protected describe(): string {
    return 'GetLock()';
  }
}

class PutFileCommand extends WopiCommand {
  constructor(
    sender: Sender,
    private readonly lockId: string | undefined,
    private readonly text: string,
    private readonly contentType: string | undefined,
  ) {
    super(sender);
  }
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const verdict = wopiRules.putFile(file, this.lockId);
    const content = Buffer.from(this.text);
    const answer = await wopi(gateway, this.sender, {
      method: 'POST',
      contents: true,
      headers: {
        [WopiHeader.Override]: 'PUT',
        ...(this.lockId === undefined ? {} : { [WopiHeader.Lock]: this.lockId }),
        ...(this.contentType === undefined ? {} : { 'content-type': this.contentType }),
      },
      body: content,
    });
    const newVersion = expectVerdict(answer, verdict);
    if (verdict.status !== 200) return { status: answer.status, because: verdict.because };
    // "For PutFile responses, this should be the version of the file after the PutFile": a new one.
    expectAnswer(
      { newVersion, isNew: newVersion !== null && !file.pastVersions.has(newVersion) },
      { newVersion, isNew: true },
    );
    recordSave(file, content, newVersion!);
    gateway.delivered = false;
    return { status: answer.status, because: verdict.because };
  }
  protected describe(): string {
    const sentAs =
      this.contentType === 'application/octet-stream' ? '' : `, as ${this.contentType ?? 'no Content-Type'}`;
    return `PutFile(${this.lockId === undefined ? 'no lock' : this.lockId}, ${JSON.stringify(this.text)}${sentAs})`;
  }
}

class GetFileCommand extends WopiCommand {
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const answer = await wopi(gateway, this.sender, { method: 'GET', contents: true });
    // GetFile: the bytes of the last successful PutFile, under that save's version.
    expectAnswer(
      {
        status: answer.status,
        itemVersion: answer.headers.get(WopiHeader.ItemVersion),
        content: answer.body.toString(),
      },
      { status: 200, itemVersion: file.version, content: file.content.toString() },
    );
    return { status: answer.status, because: gateway.delivered ? 'written back' : 'waiting for write-back' };
  }
  protected describe(): string {
    return 'GetFile()';
  }
}

class CheckFileInfoCommand extends WopiCommand {
  protected async send(file: FileModel, gateway: Gateway): Promise<{ status: number; because?: string }> {
    const answer = await wopi(gateway, this.sender, { method: 'GET' });
    expectAnswer(answer.status, 200);
    const { Size, Version, SHA256 } = JSON.parse(answer.body.toString()) as Record<string, unknown>;
    expectAnswer<Record<string, unknown>>({ Size, Version, SHA256 }, expectedFileInfo(file));
    return { status: answer.status, because: gateway.delivered ? 'written back' : 'waiting for write-back' };
  }
  protected describe(): string {
    return 'CheckFileInfo()';
  }
}

/**
 * Not a WOPI request: the worker writes back what waits for the core app. Nothing a client sees
 * may change (the model stays as it is); GetFile then serves the core app's copy.
 */
class WriteBackCommand implements fc.AsyncCommand<FileModel, Gateway> {
  check(): boolean {
    return true;
  }
  async run(_file: FileModel, gateway: Gateway): Promise<void> {
    await gateway.deliverWriteBacks();
    gateway.delivered = true;
    answersSeen.set('WriteBack', (answersSeen.get('WriteBack') ?? 0) + 1);
  }
  toString(): string {
    return 'worker: WriteBack';
  }
}

const senderArb: fc.Arbitrary<Sender> = fc.record({
  client: fc.integer({ min: 0, max: CLIENTS.length - 1 }),
  api: fc.integer({ min: 0, max: API_PROCESSES - 1 }),
});

/** A command from a random client to a random api process, with lock IDs from that client's own pool. */
function commandOf(build: (sender: Sender, lockId: () => fc.Arbitrary<string>) => fc.Arbitrary<WopiCommand>) {
  return senderArb.chain((sender) => build(sender, () => fc.constantFrom(...CLIENTS[sender.client].lockIds)));
}

// A few fixed bodies, so equal contents get saved twice (staged blobs are keyed by their hash), and
// random ones; '' makes the file empty, which lets an unlocked PutFile through (Create New).
const contentArb = fc.oneof(fc.constantFrom('', 'draft', 'final'), fc.string({ maxLength: 40 }));

const commandArbs: fc.Arbitrary<fc.AsyncCommand<FileModel, Gateway>>[] = [
  commandOf((sender, lockId) => lockId().map((id) => new LockCommand(sender, id))),
  commandOf((sender, lockId) => lockId().map((id) => new RefreshLockCommand(sender, id))),
  commandOf((sender, lockId) => lockId().map((id) => new UnlockCommand(sender, id))),
  commandOf((sender, lockId) =>
    fc.tuple(lockId(), lockId()).map(([oldId, id]) => new UnlockAndRelockCommand(sender, oldId, id)),
  ),
  commandOf((sender) => fc.constant(new GetLockCommand(sender))),
  commandOf((sender, lockId) =>
    fc
      .tuple(fc.option(lockId(), { nil: undefined }), contentArb, fc.constantFrom(...PUT_FILE_CONTENT_TYPES))
      .map(([id, text, contentType]) => new PutFileCommand(sender, id, text, contentType)),
  ),
  commandOf((sender) => fc.constant(new GetFileCommand(sender))),
  commandOf((sender) => fc.constant(new CheckFileInfoCommand(sender))),
  fc.constant(new WriteBackCommand()),
];

describe('lock and version rules, model-based, across two api processes', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let tenant: TestTenant;
  let apis: ApiProcess[];
  let worker: INestApplicationContext;
  /** The worker's write-back consumer: paused, except while a WriteBack step runs. */
  let writeBacks: Worker;
  let gatewayEnv: Awaited<ReturnType<typeof privateGatewayEnv>>;
  let templateRef: string;
  /** Every file a run used, with the model as the run left it. */
  const filesUsed: { ref: string; model: FileModel }[] = [];

  beforeAll(async () => {
    core = await startDemoCore();
    // Its own deployment: write-backs happen only in WriteBack steps, so a seed replays a run exactly.
    gatewayEnv = await privateGatewayEnv('model');
    prisma = testPrisma(gatewayEnv.env.DATABASE_URL);
    tenant = await createTestTenant(prisma, core);
    templateRef = await core.refOf('Welcome.docx');
    // Errors only: a 500's cause is in the log, and a failure prints them (below).
    apis = await Promise.all(
      Array.from({ length: API_PROCESSES }, () => startApiProcess({ ...gatewayEnv.env, LOG_LEVEL: 'error' })),
    );
    worker = await createWorker(
      loadEnv(WorkerEnv, {
        ...baseTestEnv(),
        ...gatewayEnv.env,
        WORKER_JOBS: 'write-back',
        WRITE_BACK_BACKOFF_MS: '200',
      }),
    );
    await worker.init();
    writeBacks = worker.get(WriteBackProcessor).worker;
    await writeBacks.pause();
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await Promise.all((apis ?? []).map((api) => api.stop()));
    await core?.close();
    await prisma?.$disconnect();
    await gatewayEnv?.remove();
  });

  /** Lets the worker run until no save of these files waits for the core app, then pauses it. */
  async function deliverWriteBacks(fileIds: string[]): Promise<void> {
    const waiting = { fileId: { in: fileIds }, writeBackState: 'PENDING' as const };
    // A wrong file ID would make the wait below pass at once: the files must have versions.
    if ((await prisma.fileVersion.count({ where: { fileId: { in: fileIds } } })) === 0) {
      throw new Error(`no versions recorded for ${fileIds.join(', ')}`);
    }
    writeBacks.resume();
    try {
      await waitFor(async () => (await prisma.fileVersion.count({ where: waiting })) === 0, 'the write-backs', 30_000);
    } finally {
      await writeBacks.pause();
    }
  }

  /** A new file in the core app holding `initial`, one session per client on it, and the model of it. */
  async function newFile(initial: string): Promise<{ model: FileModel; real: Gateway }> {
    const name = `model-${randomBytes(6).toString('hex')}.docx`;
    const created = await core.signedFetch(
      'POST',
      `/core/v1/files/${templateRef}/siblings?userId=alice&name=${name}&onConflict=fail`,
      Buffer.from(initial),
      { 'idempotency-key': `model-${name}` },
    );
    if (created.status !== 201) throw new Error(`demo-core answered ${created.status}: ${await created.text()}`);
    const { ref } = (await created.json()) as { ref: string };
    const sessions = await Promise.all(
      CLIENTS.map(async ({ userId }, index) => {
        const response = await fetch(`${apis[index % apis.length].url}/api/v1/sessions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.sessionApiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ fileRef: ref, userId }),
        });
        if (response.status !== 201)
          throw new Error(`session for ${userId}: ${response.status} ${await response.text()}`);
        return (await response.json()) as { fileId: string; accessToken: string };
      }),
    );
    if (new Set(sessions.map((session) => session.fileId)).size !== 1) throw new Error('sessions on different files');
    const real: Gateway = {
      apis,
      sessions,
      deliverWriteBacks: () => deliverWriteBacks([sessions[0].fileId]),
      delivered: true,
    };
    // The version is the gateway's to choose: the model learns the first one and checks the rest.
    const info = await wopi(real, { client: 0, api: 0 }, { method: 'GET' });
    if (info.status !== 200) throw new Error(`CheckFileInfo of a new file answered ${info.status}`);
    const { Version } = JSON.parse(info.body.toString()) as { Version: string };
    const model: FileModel = {
      lock: '',
      content: Buffer.from(initial),
      version: Version,
      pastVersions: new Set([Version]),
    };
    filesUsed.push({ ref, model });
    return { model, real };
  }

  /** Runs `check`; when it fails, the api processes' error logs are added to its message. */
  async function withApiErrorLogs(check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      const logs = apis.map((api, index) => `api${index}:\n${api.output().trim().slice(-LOG_TAIL_CHARS)}`);
      if (error instanceof Error) error.message += `\n\nErrors the api processes logged:\n${logs.join('\n')}`;
      throw error;
    }
  }

  async function coreContentOf(ref: string): Promise<string> {
    const response = await core.signedFetch('GET', `/core/v1/files/${ref}/content?userId=alice`);
    if (response.status !== 200) throw new Error(`demo-core answered ${response.status} for ${ref}`);
    return Buffer.from(await response.arrayBuffer()).toString();
  }

  it(
    `answers every command as the spec's rules say (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      await withApiErrorLogs(() =>
        fc.assert(
          fc.asyncProperty(
            // An empty file (as Create New makes) or one with content.
            fc.constantFrom('', 'from the core app'),
            fc.commands(commandArbs, { maxCommands: MAX_COMMANDS, size: 'max' }),
            async (initial, commands) => {
              await fc.asyncModelRun(() => newFile(initial), commands);
            },
          ),
          { seed: SEED, numRuns: RUNS, path: REPLAY_PATH, endOnFailure: false },
        ),
      );

      // The runs went through every case of every rule, not only the easy ones.
      const seen = Object.fromEntries(answersSeen);
      const unseen = [
        'Lock 200 (unlocked)',
        'Lock 200 (same lock)',
        'Lock 409 (other lock)',
        'RefreshLock 200 (same lock)',
        'RefreshLock 409 (unlocked)',
        'RefreshLock 409 (other lock)',
        'Unlock 200 (same lock)',
        'Unlock 409 (unlocked)',
        'Unlock 409 (other lock)',
        'UnlockAndRelock 200 (same lock)',
        'UnlockAndRelock 409 (unlocked)',
        'UnlockAndRelock 409 (other lock)',
        'PutFile 200 (unlocked, empty)',
        'PutFile 409 (unlocked, not empty)',
        'PutFile 200 (same lock)',
        'PutFile 409 (no lock sent)',
        'PutFile 409 (other lock)',
        'GetLock 200',
        'GetFile 200 (waiting for write-back)',
        'GetFile 200 (written back)',
        'CheckFileInfo 200 (waiting for write-back)',
        'CheckFileInfo 200 (written back)',
        'WriteBack',
      ].filter((answer) => !(answer in seen));
      expect({ unseen, seen }).toEqual({ unseen: [], seen });

      // Every save reaches the core app, and the core app then holds each file's last saved bytes.
      const files = await prisma.file.findMany({ where: { tenantId: tenant.id }, select: { id: true } });
      await deliverWriteBacks(files.map((file) => file.id));
      expect(
        await prisma.fileVersion.count({
          where: { writeBackState: { in: ['CONFLICT', 'FAILED'] }, file: { tenantId: tenant.id } },
        }),
      ).toBe(0);
      for (const { ref, model } of filesUsed) {
        expect({ ref, content: await coreContentOf(ref) }).toEqual({ ref, content: model.content.toString() });
      }
    },
    60_000 + RUNS * 5_000,
  );
});
