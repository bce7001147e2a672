/**
 * Reference head office (issue 10): a small receiver of the contract in
 * resources/headoffice-openapi.yaml, for demos, for integrators to copy and for the tests.
 * Stores what it receives in its own SQLite file, deduplicates by idempotency key (a repeat
 * delivery counts as a duplicate and is answered "duplicate"), serves an auth list editable
 * through its API, and has a fault mode: fail a share of requests, hang past the client's
 * timeout, or drop the connection after storing but before answering.
 */

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface Faults {
  /** Share of upload requests answered 503 before anything is stored (0..1). */
  failRate: number;
  /** Share of upload requests never answered (the client's timeout must end them). */
  hangRate: number;
  /** Share of upload requests stored, then the connection dropped before the answer. */
  dropAfterStoreRate: number;
  /** Session records with one of these auth_ids are rejected (a contract head office does not know). */
  rejectAuthIds: string[];
}

const NO_FAULTS: Faults = { failRate: 0, hangRate: 0, dropAfterStoreRate: 0, rejectAuthIds: [] };

export interface HeadofficeOptions {
  port: number;
  host: string;
  dataDir: string;
  token: string;
  /** When set, upload bodies must carry X-Signature: sha256=<hex HMAC-SHA256>. */
  hmacSecret?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string; key: string };
}

export interface Headoffice {
  port: number;
  url: string;
  db: Database.Database;
  faults: Faults;
  close(): Promise<void>;
}

type Result = { idempotency_key: string; status: 'accepted' | 'duplicate' | 'rejected'; reason?: string };

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function openStore(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'headoffice.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS sessions (idempotency_key TEXT PRIMARY KEY, session_id TEXT NOT NULL, revision INTEGER NOT NULL,
      charge_point_id TEXT NOT NULL, end_date_time TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS snapshots (idempotency_key TEXT PRIMARY KEY, type TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS manifests (date TEXT PRIMARY KEY, payload TEXT NOT NULL, check_result TEXT NOT NULL, received_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS auth_tags (id_tag TEXT PRIMARY KEY, status TEXT NOT NULL, valid_until TEXT, parent_id_tag TEXT);
    INSERT OR IGNORE INTO counters(name, n) VALUES ('duplicates', 0), ('rejected', 0), ('deliveries', 0), ('auth_list_version', 1);
  `);
  return db;
}

const count = (db: Database.Database, name: string, by = 1) => db.prepare('UPDATE counters SET n = n + ? WHERE name = ?').run(by, name);
const counter = (db: Database.Database, name: string) => (db.prepare('SELECT n FROM counters WHERE name = ?').get(name) as { n: number }).n;
const digest = (ids: string[]) =>
  createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');

/** Why a session record cannot be booked; null when it can. */
function sessionProblem(r: Record<string, unknown>, faults: Faults): string | null {
  for (const f of ['id', 'idempotency_key', 'charge_point_id', 'end_date_time'] as const) if (typeof r[f] !== 'string' || !r[f]) return `${f} is required`;
  if (!Number.isInteger(r.revision) || (r.revision as number) < 1) return 'revision must be a positive integer';
  if (typeof r.auth_id === 'string' && faults.rejectAuthIds.includes(r.auth_id)) return `auth_id ${r.auth_id} belongs to no contract`;
  if (typeof r.total_energy === 'number' && r.total_energy < 0) return 'total_energy is negative';
  return null;
}

function storeRecords(db: Database.Database, kind: 'sessions' | 'snapshots', records: Array<Record<string, unknown>>, faults: Faults): Result[] {
  const at = new Date().toISOString();
  return db.transaction(() =>
    records.map((r): Result => {
      const key = String(r.idempotency_key ?? '');
      count(db, 'deliveries');
      const exists = key && db.prepare(`SELECT 1 FROM ${kind} WHERE idempotency_key = ?`).get(key);
      if (exists) {
        count(db, 'duplicates');
        return { idempotency_key: key, status: 'duplicate' };
      }
      const problem = kind === 'sessions' ? sessionProblem(r, faults) : typeof r.type === 'string' && key ? null : 'type and idempotency_key are required';
      if (problem) {
        count(db, 'rejected');
        return { idempotency_key: key, status: 'rejected', reason: problem };
      }
      if (kind === 'sessions') {
        db.prepare('INSERT INTO sessions(idempotency_key, session_id, revision, charge_point_id, end_date_time, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          key,
          r.id,
          r.revision,
          r.charge_point_id,
          r.end_date_time,
          JSON.stringify(r),
          at,
        );
      } else db.prepare('INSERT INTO snapshots(idempotency_key, type, payload, received_at) VALUES (?, ?, ?, ?)').run(key, r.type, JSON.stringify(r), at);
      return { idempotency_key: key, status: 'accepted' };
    }),
  )();
}

/** Checks a day manifest against what was received: the same count and digest per charger means no gap. */
function checkManifest(db: Database.Database, day: { date: string; from: string; to: string; sessions: number; digest: string }) {
  const ids = (db.prepare('SELECT DISTINCT session_id AS id FROM sessions WHERE end_date_time >= ? AND end_date_time < ?').all(day.from, day.to) as Array<{ id: string }>).map((r) => r.id);
  const received = { sessions: ids.length, digest: digest(ids) };
  return { date: day.date, expected: { sessions: day.sessions, digest: day.digest }, received, complete: received.sessions === day.sessions && received.digest === day.digest };
}

function authList(db: Database.Database) {
  const version = counter(db, 'auth_list_version');
  const tags = db.prepare('SELECT id_tag, status, valid_until, parent_id_tag FROM auth_tags ORDER BY id_tag').all();
  return { version, etag: `"v${version}"`, body: { version, tags } };
}

export async function startHeadoffice(o: HeadofficeOptions): Promise<Headoffice> {
  const db = openStore(o.dataDir);
  const faults: Faults = { ...NO_FAULTS };
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const readBody = (req: IncomingMessage): Promise<{ raw: Buffer; json: unknown }> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('error', reject);
      req.once('end', () => {
        const raw = Buffer.concat(chunks);
        try {
          resolve({ raw, json: raw.length ? JSON.parse(raw.toString('utf8')) : undefined });
        } catch {
          reject(new HttpFailure(400, 'body is not JSON'));
        }
      });
    });

  const checkSignature = (req: IncomingMessage, raw: Buffer) => {
    if (!o.hmacSecret) return;
    const want = Buffer.from(`sha256=${createHmac('sha256', o.hmacSecret).update(raw).digest('hex')}`);
    const got = Buffer.from(String(req.headers['x-signature'] ?? ''));
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new HttpFailure(401, 'bad or missing X-Signature');
  };

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  /** The fault drawn for one upload: decided before anything is stored. */
  const draw = (): 'fail' | 'hang' | 'drop' | null => {
    const x = Math.random();
    if (x < faults.failRate) return 'fail';
    if (x < faults.failRate + faults.hangRate) return 'hang';
    if (x < faults.failRate + faults.hangRate + faults.dropAfterStoreRate) return 'drop';
    return null;
  };

  const records = (json: unknown): Array<Record<string, unknown>> => {
    const r = (json as { records?: unknown } | undefined)?.records;
    if (!Array.isArray(r) || r.some((x) => typeof x !== 'object' || x === null)) throw new HttpFailure(400, 'records must be an array of objects');
    return r as Array<Record<string, unknown>>;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://headoffice');
    const path = url.pathname;
    if (req.headers.authorization !== `Bearer ${o.token}`) throw new HttpFailure(401, 'missing or wrong bearer token');
    const { raw, json } = await readBody(req);
    const route = `${req.method} ${path}`;
    const upload = route === 'POST /v1/sessions' || route === 'POST /v1/snapshots' || route === 'POST /v1/manifests';
    if (upload) {
      checkSignature(req, raw);
      const fault = draw();
      if (fault === 'fail') throw new HttpFailure(503, 'fault mode: failing this request');
      if (fault === 'hang') {
        // Never answered; the socket is destroyed at close(). Counted while open, so a test can act while a request hangs.
        hanging.add(res);
        res.once('close', () => hanging.delete(res));
        return;
      }
      let answer: unknown;
      if (route === 'POST /v1/manifests') {
        const days = (json as { days?: unknown } | undefined)?.days;
        if (!Array.isArray(days)) throw new HttpFailure(400, 'days must be an array');
        const at = new Date().toISOString();
        answer = {
          days: (days as Array<{ date: string; from: string; to: string; sessions: number; digest: string }>).map((d) => {
            const check = checkManifest(db, d);
            db.prepare(
              'INSERT INTO manifests(date, payload, check_result, received_at) VALUES (?, ?, ?, ?) ON CONFLICT(date) DO UPDATE SET payload = excluded.payload, check_result = excluded.check_result, received_at = excluded.received_at',
            ).run(d.date, JSON.stringify(d), JSON.stringify(check), at);
            return check;
          }),
        };
      } else answer = { results: storeRecords(db, route === 'POST /v1/sessions' ? 'sessions' : 'snapshots', records(json), faults) };
      if (fault === 'drop') return void req.socket.destroy();
      return send(res, 200, answer);
    }
    const tag = /^\/v1\/auth-list\/tags\/([^/]+)$/.exec(path);
    if (route === 'GET /v1/auth-list') {
      const list = authList(db);
      if (req.headers['if-none-match'] === list.etag) return send(res, 304, undefined, { etag: list.etag });
      return send(res, 200, list.body, { etag: list.etag });
    }
    if (tag && (req.method === 'PUT' || req.method === 'DELETE')) {
      const idTag = decodeURIComponent(tag[1]!);
      if (req.method === 'PUT') {
        const b = (json ?? {}) as { status?: unknown; valid_until?: unknown; parent_id_tag?: unknown };
        if (b.status !== 'Active' && b.status !== 'Blocked') throw new HttpFailure(400, 'status must be Active or Blocked');
        db.prepare(
          'INSERT INTO auth_tags(id_tag, status, valid_until, parent_id_tag) VALUES (?, ?, ?, ?) ON CONFLICT(id_tag) DO UPDATE SET status = excluded.status, valid_until = excluded.valid_until, parent_id_tag = excluded.parent_id_tag',
        ).run(idTag, b.status, typeof b.valid_until === 'string' ? b.valid_until : null, typeof b.parent_id_tag === 'string' ? b.parent_id_tag : null);
      } else if (!db.prepare('DELETE FROM auth_tags WHERE id_tag = ?').run(idTag).changes) throw new HttpFailure(404, `no tag ${idTag}`);
      count(db, 'auth_list_version');
      return send(res, 200, authList(db).body);
    }
    if (route === 'GET /summary') {
      return send(res, 200, {
        sessions: (db.prepare('SELECT count(DISTINCT session_id) AS n FROM sessions').get() as { n: number }).n,
        sessionRecords: (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n,
        duplicates: counter(db, 'duplicates'),
        rejected: counter(db, 'rejected'),
        deliveries: counter(db, 'deliveries'),
        hanging: hanging.size,
        snapshots: (db.prepare("SELECT count(*) AS n FROM snapshots WHERE type = 'charger'").get() as { n: number }).n,
        alerts: (db.prepare("SELECT count(*) AS n FROM snapshots WHERE type = 'alert'").get() as { n: number }).n,
        manifests: (db.prepare('SELECT count(*) AS n FROM manifests').get() as { n: number }).n,
        authListVersion: counter(db, 'auth_list_version'),
        faults,
      });
    }
    if (route === 'GET /v1/sessions')
      return send(
        res,
        200,
        (db.prepare('SELECT payload FROM sessions ORDER BY received_at').all() as Array<{ payload: string }>).map((r) => JSON.parse(r.payload)),
      );
    if (route === 'GET /v1/manifests') {
      return send(
        res,
        200,
        (db.prepare('SELECT check_result FROM manifests ORDER BY date').all() as Array<{ check_result: string }>).map((r) => JSON.parse(r.check_result)),
      );
    }
    if (route === 'PUT /faults') {
      const f = (json ?? {}) as Partial<Faults>;
      for (const k of ['failRate', 'hangRate', 'dropAfterStoreRate'] as const) {
        if (f[k] !== undefined && (typeof f[k] !== 'number' || f[k] < 0 || f[k] > 1)) throw new HttpFailure(400, `${k} must be a number from 0 to 1`);
      }
      if (f.rejectAuthIds !== undefined && (!Array.isArray(f.rejectAuthIds) || f.rejectAuthIds.some((x) => typeof x !== 'string')))
        throw new HttpFailure(400, 'rejectAuthIds must be an array of strings');
      Object.assign(faults, NO_FAULTS, f);
      return send(res, 200, faults);
    }
    throw new HttpFailure(404, `no route ${route}`);
  }

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((err: Error) => {
      if (res.headersSent || req.socket.destroyed) return;
      send(res, err instanceof HttpFailure ? err.status : 500, { error: err.message });
    });
  };
  const server = o.tls ? createTlsServer(o.tls, listener) : createServer(listener);
  server.on(o.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${o.tls ? 'https' : 'http'}://${o.host}:${port}`,
    db,
    faults,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      db.close();
    },
  };
}
