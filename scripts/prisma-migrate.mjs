#!/usr/bin/env node
/**
 * prisma-migrate.mjs: Prisma Migrate for PostgreSQL with no native schema-engine binary.
 *
 * It drives Prisma's own schema engine, in the Wasm build published on npm as
 * @prisma/schema-engine-wasm (pinned to the same engine release as the `prisma` CLI), through
 * @prisma/adapter-pg. The files it writes use Prisma's layout
 * (prisma/migrations/<timestamp>_<name>/migration.sql plus migration_lock.toml). It also records
 * applied migrations in the same `_prisma_migrations` table that the stock CLI uses.
 *
 *   node scripts/prisma-migrate.mjs dev [--name <n>] [--create-only] [--accept-data-loss]
 *   node scripts/prisma-migrate.mjs deploy
 *   node scripts/prisma-migrate.mjs status          exit 1 unless every migration is applied
 *   node scripts/prisma-migrate.mjs diff [--script] live database -> schema; exit 2 if they differ
 *   node scripts/prisma-migrate.mjs check           exit 2 unless migrations == schema == database
 *   node scripts/prisma-migrate.mjs reset --force   empty the database, re-apply all migrations
 *   node scripts/prisma-migrate.mjs resolve --rolled-back <name> | --applied <name>
 *
 * It reads prisma.config.ts (schema, migrations.path, datasource.url, tables/enums.external).
 * DATABASE_URL is used if the config has no datasource.url. `dev` and `check` create a throw-away
 * shadow database, so the role needs CREATEDB, just as it does for `prisma migrate dev`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { PrismaPg } from '@prisma/adapter-pg';
import { loadConfigFromFile } from '@prisma/config';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const require = createRequire(import.meta.url);
const LOCKFILE = 'migration_lock.toml';
let errorRegistry; // JS errors thrown inside the adapter, referenced by the engine as "External error id#N"

// ---------------------------------------------------------------------------------------------
// Engine loading: the same steps as Prisma's own loader (@prisma/internals WasmSchemaEngineLoader).
// ---------------------------------------------------------------------------------------------
let lastPanic = '';
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (m) => (lastPanic = m) };

async function loadSchemaEngineClass() {
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const bytes = await fs.readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { './schema_engine_bg.js': runtime });
  runtime.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return runtime.SchemaEngine;
}

// ---------------------------------------------------------------------------------------------
// pg_catalog types. The engine reads `"char"` columns (OID 18, for example pg_class.relkind), and
// adapter-pg 7.10 rejects that type: "Column type 'char' could not be deserialized"; 6.19 also
// rejects `name` (OID 19), see prisma/orm#27403. Both are plain strings, so the pg Client
// subclass below reports them as `text` (OID 25) before adapter-pg maps the column types.
// ---------------------------------------------------------------------------------------------
const CATALOG_STRING_OIDS = new Set([18, 19]);
function catalogTypesAsText(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const f of r?.fields ?? []) if (CATALOG_STRING_OIDS.has(f.dataTypeID)) f.dataTypeID = 25;
  }
  return result;
}
class CatalogTextClient extends pg.Client {
  query(config, values, callback) {
    if (typeof values === 'function') return super.query(config, (e, r) => values(e, r && catalogTypesAsText(r)));
    if (typeof callback === 'function')
      return super.query(config, values, (e, r) => callback(e, r && catalogTypesAsText(r)));
    const p = super.query(config, values);
    return typeof p?.then === 'function' ? p.then(catalogTypesAsText) : p;
  }
}
const pool = (url) => new pg.Pool({ connectionString: url, Client: CatalogTextClient });

// ---------------------------------------------------------------------------------------------
// Driver adapter with a working shadow database.
// In @prisma/adapter-pg 7.10, connectToShadowDb() drops the shadow database before it closes the
// pool on that database, which fails with "is being accessed by other users" and leaves the
// database behind. Given a `connectionString`, it also points the shadow pool at the MAIN database,
// because pg lets connectionString override `database`. This subclass creates the throw-away
// database itself, connects to it through a rewritten URL, closes that pool, and only then drops it.
// ---------------------------------------------------------------------------------------------
async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// adapter-pg's executeScript() splits the migration on every ";" (even inside comments, strings and
// $$ function bodies) and runs the pieces one at a time, outside any transaction. The native engine
// sends the whole script as one simple-protocol query, which PostgreSQL runs as a single implicit
// transaction. This does the same.
function wholeScript(adapter) {
  adapter.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  return adapter;
}

class PrismaPgMigrate extends PrismaPg {
  constructor(url) {
    super(pool(url), { disposeExternalPool: true });
    this.url = url;
  }

  async connect() {
    return wholeScript(await super.connect());
  }

  async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(this.url, `CREATE DATABASE "${name}"`);
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const adapter = wholeScript(
      await new PrismaPg(pool(shadowUrl.toString()), { disposeExternalPool: true }).connect(),
    );
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await adminQuery(this.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs: config, schema files, migrations directory (same shapes as @prisma/migrate listMigrations).
// ---------------------------------------------------------------------------------------------
async function loadConfig() {
  const { config, error, resolvedPath } = await loadConfigFromFile({});
  if (error) throw new Error(`Could not load prisma.config.ts: ${error._tag} ${error.error?.message ?? ''}`);
  const root = resolvedPath ? path.dirname(resolvedPath) : process.cwd();
  const url = config.datasource?.url || process.env.DATABASE_URL;
  if (!url) throw new Error('No database URL: set DATABASE_URL (or datasource.url in prisma.config.ts)');
  return {
    root,
    url,
    schemaPath: path.resolve(root, config.schema ?? 'prisma/schema.prisma'),
    migrationsDir: path.resolve(root, config.migrations?.path ?? 'prisma/migrations'),
    shadowDbInitScript: config.migrations?.initShadowDb ?? '',
    filters: { externalTables: config.tables?.external ?? [], externalEnums: config.enums?.external ?? [] },
  };
}

async function readSchemaFiles(schemaPath) {
  const stat = await fs.stat(schemaPath);
  if (stat.isFile()) return [{ path: schemaPath, content: await fs.readFile(schemaPath, 'utf8') }];
  const entries = await fs.readdir(schemaPath, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.prisma'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
  return Promise.all(files.map(async (f) => ({ path: f, content: await fs.readFile(f, 'utf8') })));
}

async function listMigrations(baseDir, shadowDbInitScript) {
  const content = await fs.readFile(path.join(baseDir, LOCKFILE), 'utf8').catch(() => null);
  const entries = await fs.readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const file = await fs
      .readFile(path.join(baseDir, entry.name, 'migration.sql'), 'utf8')
      .then((value) => ({ tag: 'ok', value }))
      .catch((e) => ({ tag: 'error', value: e.message }));
    migrationDirectories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content: file } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return { baseDir, lockfile: { path: LOCKFILE, content }, shadowDbInitScript, migrationDirectories };
}

async function writeMigration(baseDir, name, extension, script, connectorType) {
  const dir = path.join(baseDir, name);
  await fs.mkdir(dir, { recursive: false }).catch((e) => {
    if (e.code === 'ENOENT') return fs.mkdir(dir, { recursive: true });
    throw new Error(`The migration directory already exists at ${dir}`);
  });
  await fs.writeFile(path.join(dir, `migration.${extension}`), script, 'utf8');
  const lock = `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${connectorType}"\n`;
  await fs.writeFile(path.join(baseDir, LOCKFILE), lock, 'utf8');
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Commands (flows follow prisma/packages/migrate/src/commands/Migrate*.ts of Prisma 7).
// ---------------------------------------------------------------------------------------------
async function main() {
  const { positionals, values: args } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string', short: 'n' },
      'create-only': { type: 'boolean', default: false },
      'accept-data-loss': { type: 'boolean', default: false },
      script: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      applied: { type: 'string' },
      'rolled-back': { type: 'string' },
    },
  });
  const command = positionals[0];
  const cfg = await loadConfig();
  const schemaFiles = await readSchemaFiles(cfg.schemaPath);
  const schema = { files: schemaFiles };
  const migrations = () => listMigrations(cfg.migrationsDir, cfg.shadowDbInitScript);
  const rel = (p) => path.relative(process.cwd(), p) || '.';

  const SchemaEngine = await loadSchemaEngineClass();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPgMigrate(cfg.url));
  errorRegistry = adapter.errorRegistry;
  const log = (line) => {
    if (process.env.DEBUG) process.stderr.write(`[schema-engine] ${line}\n`);
  };
  const engine = await SchemaEngine.new({ datamodels: schemaFiles.map((f) => [f.path, f.content]) }, log, adapter);
  const db = new URL(cfg.url);
  console.log(
    `Datasource: PostgreSQL database "${db.pathname.slice(1)}" at "${db.host}" (Wasm schema engine, @prisma/adapter-pg)`,
  );

  const applyPending = async () => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await migrations(),
      filters: cfg.filters,
    });
    for (const m of appliedMigrationNames) console.log(`  applied ${m}`);
    return appliedMigrationNames;
  };

  switch (command) {
    case 'deploy': {
      const list = await migrations();
      console.log(`${list.migrationDirectories.length} migration(s) found in ${rel(cfg.migrationsDir)}`);
      const applied = await applyPending();
      console.log(
        applied.length ? 'All migrations have been successfully applied.' : 'No pending migrations to apply.',
      );
      return 0;
    }

    case 'status': {
      const out = await engine.diagnoseMigrationHistory({
        migrationsList: await migrations(),
        optInToShadowDatabase: false,
        filters: cfg.filters,
      });
      const problems = [
        out.failedMigrationNames.length && `Failed migrations: ${out.failedMigrationNames.join(', ')}`,
        out.editedMigrationNames.length && `Edited after apply: ${out.editedMigrationNames.join(', ')}`,
        out.history && `History: ${JSON.stringify(out.history)}`,
      ].filter(Boolean);
      problems.forEach((problem) => console.log(problem));
      const ok = problems.length === 0;
      if (!out.hasMigrationsTable) console.log('The database has no _prisma_migrations table yet.');
      console.log(ok && out.hasMigrationsTable ? 'Database schema is up to date!' : 'Database is NOT up to date.');
      return ok && out.hasMigrationsTable ? 0 : 1;
    }

    case 'diff': {
      // Live database (through the adapter) -> schema files. Exit 2 when they differ.
      const res = await engine.diff({
        from: { tag: 'schemaDatasource', files: schemaFiles, configDir: cfg.root },
        to: { tag: 'schemaDatamodel', files: schemaFiles },
        script: args.script,
        exitCode: true,
        filters: cfg.filters,
      });
      process.stdout.write(res.stdout ?? '');
      return res.exitCode;
    }

    case 'check': {
      // 1) Do the migrations (replayed on a shadow database) produce schema.prisma?
      const fromMigrations = await engine.diff({
        from: { tag: 'migrations', ...(await migrations()) },
        to: { tag: 'schemaDatamodel', files: schemaFiles },
        script: true,
        exitCode: true,
        filters: cfg.filters,
      });
      // 2) Does the live database match schema.prisma (catches hand-made drift)?
      const fromDatabase = await engine.diff({
        from: { tag: 'schemaDatasource', files: schemaFiles, configDir: cfg.root },
        to: { tag: 'schemaDatamodel', files: schemaFiles },
        script: true,
        exitCode: true,
        filters: cfg.filters,
      });
      if (fromMigrations.exitCode)
        console.log(`schema.prisma has changes that no migration contains. Missing SQL:\n${fromMigrations.stdout}`);
      if (fromDatabase.exitCode)
        console.log(`The database differs from schema.prisma. SQL to reconcile it:\n${fromDatabase.stdout}`);
      if (!fromMigrations.exitCode && !fromDatabase.exitCode)
        console.log('No drift: migrations, schema.prisma and the database agree.');
      return fromMigrations.exitCode || fromDatabase.exitCode ? 2 : 0;
    }

    case 'resolve': {
      // Same as `prisma migrate resolve`: record a failed migration as rolled back or as applied.
      if (args['rolled-back']) {
        await engine.markMigrationRolledBack({ migrationName: args['rolled-back'] });
        console.log(`Migration ${args['rolled-back']} marked as rolled back.`);
      } else if (args.applied) {
        await engine.markMigrationApplied({ migrationName: args.applied, migrationsList: await migrations() });
        console.log(`Migration ${args.applied} marked as applied.`);
      } else throw new Error('resolve needs --applied <name> or --rolled-back <name>');
      return 0;
    }

    case 'reset': {
      if (!args.force) throw new Error('reset drops every table in the database: pass --force');
      await engine.reset({ filter: cfg.filters });
      console.log('Database reset successful');
      await applyPending();
      return 0;
    }

    case 'dev': {
      // devDiagnostic replays the migrations on a shadow database and caches the resulting schema.
      // The Wasm engine's evaluateDataLoss/createMigration get no shadow-database factory and only
      // work from that cache ("PostgreSQL shadow DB must be provided through an external factory"),
      // so run devDiagnostic again whenever pending migrations were just applied.
      const diagnose = async () => {
        const diag = await engine.devDiagnostic({ migrationsList: await migrations(), filters: cfg.filters });
        if (diag.action.tag !== 'reset') return true;
        console.log(diag.action.reason);
        console.log('\nRun `npm run db:reset` to drop the development database. All data will be lost.');
        return false;
      };
      if (!(await diagnose())) return 130;
      const appliedBefore = await applyPending();
      if (appliedBefore.length && !(await diagnose())) return 130;
      const loss = await engine.evaluateDataLoss({ migrationsList: await migrations(), schema, filters: cfg.filters });
      if (loss.unexecutableSteps.length && !args['create-only']) {
        for (const s of loss.unexecutableSteps) console.log(`  • ${s.message}`);
        throw new Error('The migration cannot be executed as is: use --create-only and edit the SQL');
      }
      if (loss.warnings.length) {
        console.log('\nWarnings for the current datasource:');
        for (const w of loss.warnings) console.log(`  • ${w.message}`);
        if (!args['accept-data-loss'])
          throw new Error('Re-run with --accept-data-loss to create this migration anyway');
      }
      if (loss.migrationSteps === 0 && !args['create-only']) {
        console.log(
          appliedBefore.length
            ? 'Your database is now in sync with your schema.'
            : 'Already in sync, no schema change or pending migration was found.',
        );
        return 0;
      }
      if (!args.name) throw new Error('The schema has changes: pass --name <migration_name>');
      const out = await engine.createMigration({
        migrationName: args.name,
        draft: args['create-only'],
        schema,
        migrationsList: await migrations(),
        filters: cfg.filters,
      });
      if (out.migrationScript === null) {
        console.log('Already in sync, no schema change or pending migration was found.');
        return 0;
      }
      const dir = await writeMigration(
        cfg.migrationsDir,
        out.generatedMigrationName,
        out.extension,
        out.migrationScript,
        out.connectorType,
      );
      console.log(`Created ${rel(dir)}/migration.${out.extension}`);
      if (args['create-only']) {
        console.log('Not applied (--create-only). Edit it, then run `dev` again to apply it.');
        return 0;
      }
      await applyPending();
      console.log('Your database is now in sync with your schema.');
      return 0;
    }

    default:
      console.error('usage: prisma-migrate.mjs <dev|deploy|status|diff|check|reset|resolve> [options]');
      return 1;
  }
}

main()
  .then((code) => process.exit(code ?? 0)) // exit explicitly: the Wasm engine leaves timers behind
  .catch((e) => {
    const code = e && typeof e === 'object' && 'code' in e && e.code ? `${e.code}: ` : '';
    const id = /External error id#(\d+)/.exec(String(e?.message))?.[1];
    const cause = id !== undefined ? errorRegistry?.consumeError(Number(id))?.error : undefined;
    const detail = cause
      ? `\nCaused by: ${cause.cause?.originalMessage ?? cause.message ?? JSON.stringify(cause)}`
      : '';
    console.error(`Error: ${code}${e?.message ?? e}${detail}${lastPanic ? `\n(engine panic: ${lastPanic})` : ''}`);
    process.exit(1);
  });
