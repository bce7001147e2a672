import { nextReservationExpiry } from '../../store/queries/reservations.js';
import { CommandError } from '../errors.js';
import { type CommandEffect, type EffectDeps, nowIso } from './types.js';

type ReserveNowInput = { connectorId: number; idTag: string; expiryDate: string; parentIdTag?: string; reservationId?: number };

/**
 * ReserveNow: the reservation is stored (with a fresh id unless the caller gave one) before the
 * call goes out; the charger's answer decides whether it becomes Reserved. Expiry is swept on
 * time; a StartTransaction naming it consumes it (see ocpp/ops.ts).
 */
export const reserveNow: CommandEffect<'ReserveNow'> = {
  async prepare(d, cp, payload) {
    const p = payload as ReserveNowInput;
    const expiryDate = new Date(p.expiryDate);
    if (Number.isNaN(expiryDate.getTime())) throw new CommandError('invalid', 'expiryDate must be an ISO 8601 date-time', { field: 'expiryDate' });
    if (expiryDate.getTime() <= Date.now()) throw new CommandError('invalid', 'expiryDate must be in the future', { field: 'expiryDate' });
    const opened = await d.writer.run('openReservation', {
      chargePointId: cp,
      connectorId: p.connectorId,
      idTag: p.idTag,
      parentIdTag: p.parentIdTag ?? null,
      expiryDate: expiryDate.toISOString(),
      at: nowIso(),
      ...(p.reservationId !== undefined && { id: p.reservationId }),
    });
    if ('ownedBy' in opened) throw new CommandError('conflict', `reservation ${p.reservationId} belongs to ${opened.ownedBy}`, { field: 'reservationId' });
    return { ...p, reservationId: opened.reservationId, expiryDate: expiryDate.toISOString() };
  },
  async after(d, cp, req, res) {
    const status = res.status === 'Accepted' ? 'Reserved' : res.status;
    await d.writer.run('applyReserveNow', {
      id: req.reservationId,
      status,
      connectorId: req.connectorId,
      idTag: req.idTag,
      parentIdTag: req.parentIdTag ?? null,
      expiryDate: req.expiryDate,
      at: nowIso(),
    });
    d.events.emit('reservation.changed', { chargePointId: cp, reservationId: req.reservationId, status, at: nowIso() });
    if (status === 'Reserved') scheduleSweep(d);
    return { reservationId: req.reservationId };
  },
  async failed(d, _cp, req) {
    if (req?.reservationId !== undefined) await d.writer.run('failRequestedReservation', { id: req.reservationId, at: nowIso() });
  },
  subscribe(d) {
    scheduleSweep(d);
    return () => clearTimeout(sweepTimers.get(d));
  },
};

export const cancelReservation: CommandEffect<'CancelReservation'> = {
  async after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    await d.writer.run('setReservationStatus', { id: req.reservationId, status: 'Cancelled', at: nowIso() });
    d.events.emit('reservation.changed', { chargePointId: cp, reservationId: req.reservationId, status: 'Cancelled', at: nowIso() });
  },
};

/** One timer per service, set for the earliest expiry; each sweep re-arms it for the next. */
const sweepTimers = new WeakMap<EffectDeps, NodeJS.Timeout>();

/** After a failed sweep (store outage) the due reservations are retried this much later, not at once in a loop. */
const SWEEP_RETRY_MS = 5000;

function scheduleSweep(d: EffectDeps, notBeforeMs = 0): void {
  clearTimeout(sweepTimers.get(d));
  if (!d.db.open) return;
  const next = nextReservationExpiry(d.db);
  if (!next) return;
  const delay = Math.max(notBeforeMs, Math.min(Date.parse(next) - Date.now(), 2 ** 31 - 1));
  const timer = setTimeout(async () => {
    if (!d.db.open) return;
    let retryMs = 0;
    try {
      for (const r of await d.writer.run('expireReservations', { now: nowIso() })) {
        d.events.emit('reservation.changed', { chargePointId: r.chargePointId, reservationId: r.reservationId, status: 'Expired', at: nowIso() });
      }
    } catch (err) {
      d.log.error({ err }, 'reservation expiry sweep failed');
      retryMs = SWEEP_RETRY_MS;
    }
    scheduleSweep(d, retryMs);
  }, delay);
  timer.unref();
  sweepTimers.set(d, timer);
}
