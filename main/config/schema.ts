import { type Static, Type } from '@sinclair/typebox';

/** 1-65535 as a regular expression (a port list is configured as text). */
const TCP_PORT = '([1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])';

/**
 * Every setting of the service, with its default and meaning. The same schema validates the
 * config file, the environment (OCPP_EDGE_<KEY>) and the command line, so a bad value is
 * reported the same way wherever it came from.
 */
export const ConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 3001, description: 'TCP port for OCPP WebSocket and REST API (0 = any free port)' }),
    host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Listening address; 127.0.0.1 keeps everything on this PC' }),
    dataDir: Type.String({ minLength: 1, description: 'Folder holding the SQLite database and other state' }),
    dbFile: Type.String({ minLength: 1, default: 'ocpp-edge.db', description: 'SQLite file name inside dataDir (or an absolute path)' }),
    apiToken: Type.Optional(
      Type.String({ minLength: 16, description: 'Bearer token for the REST API; generated on first run when unset (visible in ps when given as an option: prefer apiTokenFile or the environment)' }),
    ),
    apiTokenFile: Type.Optional(Type.String({ minLength: 1, description: 'File whose first line is the API token (instead of apiToken, for automation)' })),
    logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], {
      default: 'info',
      description: 'debug logs one line per OCPP frame',
    }),
    heartbeatIntervalSec: Type.Integer({ minimum: 1, maximum: 86400, default: 60, description: 'Heartbeat interval sent in an Accepted BootNotification' }),
    bootRetryIntervalSec: Type.Integer({ minimum: 1, maximum: 86400, default: 30, description: 'Wait before the next boot attempt in a Pending/Rejected BootNotification' }),
    unknownChargerPolicy: Type.Union([Type.Literal('accept'), Type.Literal('pending'), Type.Literal('reject')], {
      default: 'accept',
      description: 'What a charger not in the registry gets: auto-registered and Accepted, auto-registered and Pending, or HTTP 404 at the upgrade',
    }),
    allowMissingSubprotocol: Type.Boolean({ default: true, description: 'Accept chargers that offer no WebSocket subprotocol (some firmware sends none)' }),
    requireChargerPassword: Type.Boolean({ default: false, description: 'Refuse chargers that have no password set (security profile 1 everywhere)' }),
    callTimeoutMs: Type.Integer({ minimum: 100, maximum: 600000, default: 30000, description: 'How long an outbound call waits for the charger answer' }),
    maxFrameBytes: Type.Integer({ minimum: 1024, maximum: 16777216, default: 65536, description: 'Largest WebSocket frame accepted from a charger' }),
    pingIntervalSec: Type.Integer({ minimum: 0, maximum: 3600, default: 60, description: 'WebSocket ping interval; a charger missing two pongs is dropped (0 = off)' }),
    writerThread: Type.Union([Type.Literal('main'), Type.Literal('worker')], {
      default: 'worker',
      description:
        "Where commits and their fsyncs run: 'worker' (a worker thread with its own connection, while the main thread parses the next messages; issue 12) or 'main' (the main thread's connection)",
    }),
    messageLogMaxRows: Type.Integer({ minimum: 0, maximum: 100000000, default: 200000, description: 'OCPP frames kept in the message log (0 = log off)' }),
    statusHistoryMaxRows: Type.Integer({ minimum: 1000, maximum: 100000000, default: 500000, description: 'Status notifications kept in history' }),
    tlsCertFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate: enables the TLS listener (security profile 2)' })),
    tlsKeyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key for tlsCertFile' })),
    tlsPort: Type.Integer({ minimum: 0, maximum: 65535, default: 3443, description: 'Port of the TLS listener (wss:// and https://)' }),
    remoteStartWaitMs: Type.Integer({ minimum: 0, maximum: 300000, default: 15000, description: 'How long a remote start waits for the StartTransaction to report its transactionId' }),
    maxMessagesPerSecond: Type.Integer({
      minimum: 1,
      maximum: 1000000,
      default: 100,
      description: 'Inbound messages per second per charger; above it the socket is paused (backpressure, nothing is refused)',
    }),
    messageBurst: Type.Integer({ minimum: 1, maximum: 1000000, default: 300, description: 'Messages a charger may send at once before maxMessagesPerSecond applies' }),
    maxBadMessagesPerMinute: Type.Integer({ minimum: 1, maximum: 1000000, default: 120, description: 'Malformed or invalid messages per minute before a charger is disconnected (close 1008)' }),
    maxPendingCalls: Type.Integer({ minimum: 1, maximum: 100000, default: 100, description: 'Commands queued for one charger before new ones are refused' }),
    maxConnections: Type.Integer({ minimum: 1, maximum: 1000000, default: 25000, description: 'Charger connections at once; more are refused with 503' }),
    authMaxFailures: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'Failed charger logins per address or identity before a lockout' }),
    authLockoutSec: Type.Integer({ minimum: 1, maximum: 86400, default: 900, description: 'How long a lockout lasts' }),
    apiLoopbackOnly: Type.Boolean({ default: false, description: 'Serve the REST API and UI only to this PC (127.0.0.1/::1); chargers still connect from the LAN' }),
    backupCron: Type.String({ minLength: 1, default: '30 2 * * *', description: 'When the automatic online backup of the database runs (cron, local time); "off" disables it' }),
    backupKeep: Type.Integer({ minimum: 1, maximum: 1000, default: 14, description: 'How many automatic backups are kept (oldest deleted first)' }),
    backupDir: Type.Optional(Type.String({ minLength: 1, description: 'Folder for backups (default <dataDir>/backups)' })),
    logFile: Type.Optional(Type.String({ minLength: 1, description: 'Also write logs to this file (rotated by size and daily; relative paths are inside dataDir)' })),
    logMaxSize: Type.String({ pattern: '^[0-9]+[kmg]?$', default: '20m', description: 'Rotate the log file when it reaches this size (k, m, g units)' }),
    discoveryMdns: Type.Boolean({
      default: false,
      description: "mDNS/DNS-SD: browse for chargers and advertise this controller as _ocpp._tcp. Off until enabled: it multicasts on the PC's networks, which a depot's IT may not expect",
    }),
    discoveryMdnsTypes: Type.String({
      default: '',
      pattern: '^[A-Za-z0-9_.,\\s-]*$',
      description: 'Extra DNS-SD service types to browse besides _http._tcp, _https._tcp, _ocpp._tcp (comma-separated)',
    }),
    discoveryMdnsInterface: Type.Optional(Type.String({ format: 'ipv4', description: 'Multicast only on the network of this local IPv4 address (default: every network)' })),
    discoveryPorts: Type.String({
      default: '80,443,8080',
      pattern: `^${TCP_PORT}(,${TCP_PORT}){0,15}$`,
      description: 'Ports a subnet scan probes when the request names none (comma-separated, at most 16)',
    }),
    discoveryProbeConcurrency: Type.Integer({ minimum: 1, maximum: 256, default: 32, description: 'Addresses a subnet scan probes at once' }),
    discoveryProbeTimeoutMs: Type.Integer({ minimum: 100, maximum: 30000, default: 1500, description: 'How long a scan waits for one port of one address (connect, TLS and answer)' }),
    logKeepFiles: Type.Integer({ minimum: 1, maximum: 1000, default: 14, description: 'Rotated log files kept besides the current one (daily rotation: about that many days)' }),
    headofficeUrl: Type.Optional(
      Type.String({ minLength: 1, description: 'Head-office base URL (http or https) sessions are uploaded to and the auth list is pulled from; unset: standalone, the outbox still fills' }),
    ),
    headofficeToken: Type.Optional(Type.String({ minLength: 8, description: 'Bearer token sent to head office' })),
    headofficeHmacSecret: Type.Optional(Type.String({ minLength: 16, description: 'When set, each request body is signed: X-Signature: sha256=<hex HMAC-SHA256 of the body>' })),
    headofficeTimeoutMs: Type.Integer({ minimum: 500, maximum: 600000, default: 15000, description: 'How long one head-office request may take, answer included' }),
    headofficeCaFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM CA certificate(s) trusted for the head-office TLS certificate, besides the system ones' })),
    headofficeTlsVerify: Type.Boolean({ default: true, description: 'Verify the head-office TLS certificate (turn off only for a lab)' }),
    syncCron: Type.String({ minLength: 1, default: '0 2 * * *', description: 'When the nightly head-office sync runs (cron, local time; 6 fields for seconds); "off" disables it' }),
    syncBatchSize: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Records per head-office upload request' }),
    syncBackoffMaxMs: Type.Integer({
      minimum: 100,
      maximum: 3600000,
      default: 300000,
      description: 'Longest wait between upload attempts while head office is unreachable (exponential backoff with jitter)',
    }),
    syncIncludeMeterSamples: Type.Boolean({ default: false, description: 'Upload every meter sample of a session, not only its summary' }),
    loadDefaultMaxAmps: Type.Number({ minimum: 1, maximum: 1000, default: 32, description: 'Load management: maximum current of a charger whose maximumAmps/ratedAmps are unknown' }),
    loadMinAmps: Type.Number({ minimum: 0, maximum: 100, default: 6, description: 'Load management: least current a session charges with (IEC 61851 AC: 6 A); below it a session waits at 0 A' }),
    loadBatchIntervalMs: Type.Integer({
      minimum: 50,
      maximum: 600000,
      default: 2000,
      description: 'Load management: shortest time between two recomputations (events in between are batched into one)',
    }),
    loadProfileLeaseSec: Type.Integer({
      minimum: 2,
      maximum: 86400,
      default: 300,
      description: 'Load management: validity of a TxProfile; refreshed at half, so without the controller a charger falls back to its TxDefaultProfile after this',
    }),
    loadSettleMs: Type.Integer({
      minimum: 0,
      maximum: 600000,
      default: 15000,
      description: 'Load management: time a vehicle gets to follow a new limit before its measured current is taken as what it can take',
    }),
    loadHeadroomAmps: Type.Number({
      minimum: 0.5,
      maximum: 100,
      default: 2,
      description: 'Load management: a vehicle drawing this much below its share gets what it draws plus this (the rest goes to others)',
    }),
    loadOverLimitAlertSec: Type.Integer({ minimum: 0, maximum: 86400, default: 60, description: 'Load management: alert when the measured site current stays above the site limit this long' }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ConfigKey = keyof Config;
