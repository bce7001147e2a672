import type { Db } from '../../store/db.js';
import { samplesOfTransaction, signedSamplesOfTransaction } from '../../store/queries/meter-values.js';
import { getTransaction, listOrphanStops, sessionSlices } from '../../store/queries/transactions.js';
import { csvStream, toCsv } from '../csv.js';
import { RawResponse } from '../http-server.js';
import { HttpError, type Route } from '../router.js';
import { enumParam, intParam, isoParam } from './params.js';

const SESSION_COLUMNS = [
  'transactionId',
  'chargePointId',
  'connectorId',
  'idTag',
  'startAuthStatus',
  'status',
  'startTime',
  'stopTime',
  'meterStart',
  'meterStop',
  'energyWh',
  'stopReason',
  'reservationId',
  'chargerTransactionId',
] as const;
const SAMPLE_COLUMNS = ['transactionId', 'chargePointId', 'connectorId', 'timestamp', 'measurand', 'phase', 'location', 'context', 'unit', 'value', 'format', 'source'] as const;

/** Rows per slice of a streamed export: a few milliseconds of work between two turns of the event loop. */
const EXPORT_SLICE_ROWS = 500;

const csv = (name: string, body: RawResponse['body']) => new RawResponse('text/csv; charset=utf-8', body, { 'Content-Disposition': `attachment; filename="${name}"` });

/** One session, its meter values, and CSV exports (sessions with the list filters; a session's samples). */
export function sessionDetailRoutes(db: Db): Route[] {
  const txId = (raw: string) => {
    const id = Number(raw);
    if (!Number.isSafeInteger(id)) throw new HttpError(400, 'transaction id must be an integer', 'id');
    const t = getTransaction(db, id);
    if (!t) throw new HttpError(404, `no session ${raw}`, 'id');
    return t;
  };
  return [
    {
      method: 'GET',
      path: '/api/sessions/export.csv',
      summary: 'Sessions as CSV, streamed (same filters as /api/sessions; up to 100000 rows)',
      handler: ({ query }) => {
        const station = query.get('station') ?? undefined;
        const idTag = query.get('idTag') ?? undefined;
        const status = enumParam(query, 'status', ['Active', 'Completed'] as const);
        const from = isoParam(query, 'from');
        const to = isoParam(query, 'to');
        const filter = {
          ...(station && { chargePointId: station }),
          ...(idTag && { idTag }),
          ...(status && { status }),
          ...(from && { from }),
          ...(to && { to }),
          limit: intParam(query, 'limit', 100000, 1, 100000),
          offset: intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
        };
        // Streamed: built in one piece, 100,000 rows held the thread that answers every charger for about a second.
        return csv('sessions.csv', csvStream(SESSION_COLUMNS, sessionSlices(db, filter, EXPORT_SLICE_ROWS)));
      },
    },
    {
      method: 'GET',
      path: '/api/sessions/orphan-stops',
      summary: 'StopTransactions for unknown transaction ids, kept for review',
      handler: ({ query }) => listOrphanStops(db, intParam(query, 'limit', 100, 1, 10000)),
    },
    { method: 'GET', path: '/api/sessions/:id', summary: 'One session', handler: ({ params }) => txId(params.id!) },
    { method: 'GET', path: '/api/sessions/:id/meter-values', summary: 'Every sampled value of a session', handler: ({ params }) => samplesOfTransaction(db, txId(params.id!).transactionId) },
    {
      method: 'GET',
      path: '/api/sessions/:id/signed-meter-values',
      summary: 'For billing audits: the session and its signed meter values (format SignedData, e.g. Eichrecht OCMF), each value exactly as the charger sent it',
      handler: ({ params }) => {
        const session = txId(params.id!);
        return { session, samples: signedSamplesOfTransaction(db, session.transactionId) };
      },
    },
    {
      method: 'GET',
      path: '/api/sessions/:id/meter-values.csv',
      summary: 'Meter values of a session as CSV',
      handler: ({ params }) => {
        const t = txId(params.id!);
        return csv(`session-${t.transactionId}-meter-values.csv`, toCsv(SAMPLE_COLUMNS, samplesOfTransaction(db, t.transactionId) as never));
      },
    },
  ];
}
