import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pkg from '../package.json' with { type: 'json' };
import { tokenAuthenticator } from './api/authenticate.js';
import { EventStream } from './api/events-stream.js';
import { createHttpServer, isLoopback, rawErrorResponse } from './api/http-server.js';
import type { Route } from './api/router.js';
import { adminRoutes } from './api/routes/admin.js';
import { backupRoutes } from './api/routes/backups.js';
import { chargerRoutes } from './api/routes/chargers.js';
import { connectionRoutes } from './api/routes/connections.js';
import { discoveryRoutes } from './api/routes/discovery.js';
import { gatewayRoutes } from './api/routes/gateway.js';
import { loadRoutes } from './api/routes/load.js';
import { operationRoutes } from './api/routes/operations.js';
import { provisioningRoutes } from './api/routes/provisioning.js';
import { rfidRoutes } from './api/routes/rfid.js';
import { securityHealth, securityRoutes } from './api/routes/security.js';
import { sessionDetailRoutes } from './api/routes/session-details.js';
import { sessionRoutes } from './api/routes/sessions.js';
import { stationRoutes } from './api/routes/stations.js';
import { syncRoutes } from './api/routes/sync.js';
import { uiRfidImportRoutes } from './api/routes/ui-rfid-import.js';
import { uiSettingsRoutes } from './api/routes/ui-settings.js';
import { uiRoutes } from './api/routes/ui-views.js';
import { SessionStore, signInRoutes } from './api/session-cookie.js';
import { checkApiToken, ensureApiToken } from './api/token.js';
import { createUiStatic } from './api/ui-static.js';
import { type AppOps, appCommitter, appOps, configureWriteConnection, type WriteSetup } from './app-ops.js';
import { CommandService } from './commands/service.js';
import type { Config } from './config/schema.js';
import { Provisioner, type ProvisioningCommands } from './discovery/provisioning.js';
import { DiscoveryService } from './discovery/service.js';
import { EventBus } from './events.js';
import { commandSender } from './loadmgmt/command-sender.js';
import { LoadController, loadOptions } from './loadmgmt/controller.js';
import type { Logger } from './log/logger.js';
import type { DataTransferHandler } from './ocpp/context.js';
import { OcppServer } from './ocpp/server.js';
import { BackupScheduler } from './scheduler/backups.js';
import { type Db, openDb } from './store/db.js';
import { markAllDisconnected } from './store/queries/chargers.js';
import { GroupCommitWriter, inThreadCommitter } from './store/writer.js';
import { SyncService } from './sync/service.js';

export interface App {
  config: Config;
  db: Db;
  events: EventBus;
  /** The one write path: the chargers' writes (ocpp/ops.ts), the REST and command ones (store/admin-ops.ts), the sync's (store/sync-ops.ts), discovery's (store/discovery-ops.ts) and load management's (store/load-ops.ts). */
  writer: GroupCommitWriter<AppOps>;
  ocpp: OcppServer;
  commands: CommandService;
  backups: BackupScheduler;
  discovery: DiscoveryService;
  provisioner: Provisioner;
  load: LoadController;
  /** The REST routes (GET /api/openapi.json, added by the HTTP server, documents them). */
  routes: readonly Route[];
  sync: SyncService;
  /** Browser sessions of the UI (the Electron window opens one with sessions.create()). */
  sessions: SessionStore;
  /** Plain API token when this start created it (first run), to show once. */
  newApiToken: string | null;
  log: Logger;
  /** Answers DataTransfer.req from chargers for one vendorId (others get UnknownVendorId). */
  registerDataTransferHandler(vendorId: string, handler: DataTransferHandler): () => void;
  /** Bound addresses after start(). */
  port: number;
  tlsPort: number | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const APP_VERSION: string = pkg.version;

export function dbPath(config: Config): string {
  return config.dbFile === ':memory:' || isAbsolute(config.dbFile) ? config.dbFile : join(config.dataDir, config.dbFile);
}

/** Composes the core: store -> ocpp -> api. Both entries (serve, Electron) call this. */
export function createApp(config: Config, log: Logger): App {
  const file = dbPath(config);
  const db = openDb(file);
  markAllDisconnected(db);
  const writeSetup: WriteSetup = { includeMeterSamples: config.syncIncludeMeterSamples };
  configureWriteConnection(db, writeSetup);
  // With writerThread 'worker', commits (and their fsyncs) run on a worker thread with its own
  // connection and this thread's connection serves reads. An in-memory database exists only on
  // its own connection.
  const committer = file === ':memory:' || config.writerThread === 'main' ? inThreadCommitter(db, appOps) : appCommitter(file, writeSetup);
  const events = new EventBus();
  // One alert and one error line per outage (and per change of its SQLite code), not one per
  // failed commit: with the disk full every batch fails, many times a second. A reminder is
  // logged at most once a minute while it lasts.
  let outage: { since: number; code: string; failedCommits: number; loggedAt: number; droppedBefore: number } | null = null;
  const writer = new GroupCommitWriter(committer, {
    bestEffort: ['presence', 'logFrames'],
    recoveryQuietMs: 2000,
    onCommitError: (err) => {
      const now = Date.now();
      const code = String((err.cause as { code?: unknown } | undefined)?.code ?? 'unknown');
      if (outage && outage.code === code) {
        outage.failedCommits++;
        if (now - outage.loggedAt >= 60_000) {
          outage.loggedAt = now;
          log.error({ err, failedCommits: outage.failedCommits, sinceMs: now - outage.since }, 'store commits still failing');
        }
        return;
      }
      outage = { since: outage?.since ?? now, code, failedCommits: (outage?.failedCommits ?? 0) + 1, loggedAt: now, droppedBefore: outage?.droppedBefore ?? writer.dropped };
      log.error({ err }, 'store commit failed: chargers get errors instead of acknowledgements');
      events.emit('alert', { kind: 'store', message: err.message, at: new Date().toISOString() });
    },
    onRecovered: () => {
      log.warn(
        { failedCommits: outage?.failedCommits ?? 0, downMs: outage ? Date.now() - outage.since : 0, droppedHousekeepingWrites: writer.dropped - (outage?.droppedBefore ?? writer.dropped) },
        'store commits work again',
      );
      outage = null;
      events.emit('alert', { kind: 'store-recovered', message: 'store commits work again', at: new Date().toISOString() });
    },
  });
  const dataTransferHandlers = new Map<string, DataTransferHandler>();
  const ocpp = new OcppServer({ config, db, writer, events, log, dataTransferHandlers });
  const commands = new CommandService({ config, db, writer, ocpp, events, log });
  const backups = new BackupScheduler(config, db, events, log);
  const sync = new SyncService({
    config,
    db,
    writer,
    events,
    log,
    localList: {
      connectedChargers: () => ocpp.connectedIds,
      isOutdated: (cp) => commands.localListOutdated(cp),
      push: (cp) => commands.syncLocalList(cp, 'Differential', 'headoffice-sync'),
    },
  });
  const discovery = new DiscoveryService({ config, db, writer, events, log });
  // Provisioning reaches chargers only through the command service's public methods.
  const provisioningCommands: ProvisioningCommands = {
    changeConfiguration: async (cp, key, value) => (await commands.execute(cp, 'ChangeConfiguration', { key, value }, 'provisioning')).response.status,
    sendLocalList: async (cp) => (await commands.syncLocalList(cp, 'Full', 'provisioning')).response.status,
    reset: async (cp) => (await commands.execute(cp, 'Reset', { type: 'Soft' }, 'provisioning')).response.status,
  };
  const provisioner = new Provisioner({ config, db, writer, events, log, commands: provisioningCommands, listen: () => ({ port: app.port, tlsPort: app.tlsPort }) });
  const load = new LoadController({ db, writer, events, log, sender: commandSender(commands, (cp) => !!ocpp.connection(cp), log), options: loadOptions(config) });
  const newApiToken = ensureApiToken(db, config.apiToken);
  const checkToken = (t: string | undefined) => checkApiToken(db, t);
  const sessions = new SessionStore(db, writer);
  const authenticate = tokenAuthenticator(checkToken, sessions);
  const eventStream = new EventStream(events, authenticate, log);

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/health',
      open: true,
      summary: 'Liveness: always open',
      handler: () => ({ status: 'ok', connectedChargers: ocpp.connectedIds.length, storeError: writer.lastError?.message ?? null, security: securityHealth(db) }),
    },
    ...stationRoutes(db),
    ...sessionDetailRoutes(db),
    ...sessionRoutes(db),
    ...rfidRoutes(db, writer),
    ...chargerRoutes(db, writer, ocpp),
    ...adminRoutes(commands),
    ...gatewayRoutes(db, ocpp, commands),
    ...connectionRoutes(ocpp, commands),
    ...operationRoutes(db, writer),
    ...backupRoutes(backups),
    ...securityRoutes(
      db,
      ocpp,
      () => writer.lastError,
      () => load.alerts(),
    ),
    ...syncRoutes(sync),
    ...signInRoutes(sessions, checkToken),
    ...uiRoutes(
      db,
      ocpp,
      () => writer.lastError,
      () => load.alerts(),
    ),
    ...uiRfidImportRoutes(db, writer),
    ...uiSettingsRoutes(config),
    ...discoveryRoutes(db, writer, discovery),
    ...provisioningRoutes(db, writer, provisioner),
    ...loadRoutes(db, writer, load),
  ];

  const servers: FastifyInstance[] = [];
  const make = (tls?: { cert: Buffer; key: Buffer }) =>
    createHttpServer({
      routes,
      version: APP_VERSION,
      log,
      authenticate,
      serveUi: createUiStatic(),
      loopbackOnly: config.apiLoopbackOnly,
      onUpgrade: (req, socket, head) => {
        if (!eventStream.handles(req)) return ocpp.handleUpgrade(req, socket, head);
        if (config.apiLoopbackOnly && !isLoopback(req.socket.remoteAddress)) return void socket.end(rawErrorResponse(403, 'Forbidden', 'the API is only served to this computer (apiLoopbackOnly)'));
        eventStream.upgrade(req, socket, head);
      },
      ...(tls && { tls }),
    });
  const listen = async (server: FastifyInstance, port: number) => {
    // A deep accept queue: after an outage a whole depot reconnects at once, and with the default 511 the kernel drops SYNs that then wait 1 s, 3 s... to retry.
    await server.listen({ port, host: config.host, backlog: 4096 });
    return (server.server.address() as AddressInfo).port;
  };

  const app: App = {
    config,
    db,
    events,
    writer,
    ocpp,
    commands,
    backups,
    discovery,
    provisioner,
    load,
    routes,
    sync,
    sessions,
    log,
    registerDataTransferHandler: (vendorId, handler) => ocpp.registerDataTransferHandler(vendorId, handler),
    newApiToken,
    port: 0,
    tlsPort: null,
    async start() {
      load.start();
      const plain = await make();
      servers.push(plain);
      app.port = await listen(plain, config.port);
      if (config.tlsCertFile && config.tlsKeyFile) {
        const secure = await make({ cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) });
        servers.push(secure);
        app.tlsPort = await listen(secure, config.tlsPort);
      }
      sync.start();
      await discovery.start({ port: app.tlsPort ?? app.port, tls: app.tlsPort !== null });
    },
    async stop() {
      // Stop accepting at once; HTTP sockets still open are closed below, once the core has stopped.
      // Not awaited: it also waits for upgraded sockets (an event-stream client slow to answer the close).
      for (const s of servers) s.close().catch((err: unknown) => log.warn({ err }, 'HTTP server close failed'));
      eventStream.close();
      await sync.stop();
      provisioner.close();
      await discovery.close();
      load.close();
      commands.close();
      await backups.stop();
      await ocpp.close();
      await writer.close();
      try {
        markAllDisconnected(db);
      } catch (err) {
        // Disk full / read-only: still close the servers and the database.
        log.error({ err }, 'could not mark chargers disconnected at shutdown');
      }
      for (const s of servers) s.server.closeAllConnections();
      eventStream.terminate();
      db.close();
    },
  };
  return app;
}
