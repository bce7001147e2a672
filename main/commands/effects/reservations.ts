import {
  applyReserveNow,
  createReservation,
  expireReservations,
  getReservation,
  insertReservationWithId,
  nextReservationExpiry,
  setReservationStatus,
} from '../../store/queries/reservations.js';
import { CommandError } from '../errors.js';
import { nowIso, type CommandEffect, type EffectDeps } from './types.js';

type ReserveNowInput = { connectorId: number; idTag: string; expiryDate: string; parentIdTag?: string; reservationId?: number };

/**
 * ReserveNow: the reservation is stored (with a fresh id unless the caller gave one) before the
 * call goes out; the charger's answer decides whether it becomes Reserved. Expiry is swept on
 * time; a StartTransaction naming it consumes it (see ocpp/ops.ts).
 */
export const reserveNow: CommandEffect<'ReserveNow'> = {
  prepare(d, cp, payload) {
    const p = payload as ReserveNowInput;
    const expiryDate = new Date(p.expiryDate);
    if (Number.isNaN(expiryDate.getTime())) throw new CommandError('invalid', 'expiryDate must be an ISO 8601 date-time', { field: 'expiryDate' });
    if (expiryDate.getTime() <= Date.now()) throw new CommandError('invalid', 'expiryDate must be in the future', { field: 'expiryDate' });
    const at = nowIso();
    let reservationId = p.reservationId;
    if (reservationId === undefined) {
      reservationId = createReservation(d.db, { chargePointId: cp, connectorId: p.connectorId, idTag: p.idTag, parentIdTag: p.parentIdTag ?? null, expiryDate: expiryDate.toISOString(), at });
    } else {
      const existing = getReservation(d.db, reservationId);
      // Re-sending an id of the same charger replaces that reservation (1.6 §5.13); another charger's id is refused.
      if (existing && existing.chargePointId !== cp) throw new CommandError('conflict', `reservation ${reservationId} belongs to ${existing.chargePointId}`, { field: 'reservationId' });
      if (!existing) {
        insertReservationWithId(d.db, { id: reservationId, chargePointId: cp, connectorId: p.connectorId, idTag: p.idTag, parentIdTag: p.parentIdTag ?? null, expiryDate: expiryDate.toISOString(), at });
      }
    }
    return { ...p, reservationId, expiryDate: expiryDate.toISOString() };
  },
  after(d, cp, req, res) {
    const status = res.status === 'Accepted' ? 'Reserved' : res.status;
    applyReserveNow(d.db, { id: req.reservationId, status, connectorId: req.connectorId, idTag: req.idTag, parentIdTag: req.parentIdTag ?? null, expiryDate: req.expiryDate, at: nowIso() });
    d.events.emit('reservation.changed', { chargePointId: cp, reservationId: req.reservationId, status, at: nowIso() });
    if (status === 'Reserved') scheduleSweep(d);
    return { reservationId: req.reservationId };
  },
  failed(d, _cp, req) {
    if (req?.reservationId !== undefined && getReservation(d.db, req.reservationId)?.status === 'Requested') setReservationStatus(d.db, req.reservationId, 'Failed', nowIso());
  },
  subscribe(d) {
    scheduleSweep(d);
    return () => clearTimeout(sweepTimers.get(d));
  },
};

export const cancelReservation: CommandEffect<'CancelReservation'> = {
  after(d, cp, req, res) {
    if (res.status !== 'Accepted') return;
    setReservationStatus(d.db, req.reservationId, 'Cancelled', nowIso());
    d.events.emit('reservation.changed', { chargePointId: cp, reservationId: req.reservationId, status: 'Cancelled', at: nowIso() });
  },
};

/** One timer per service, set for the earliest expiry; each sweep re-arms it for the next. */
const sweepTimers = new WeakMap<EffectDeps, NodeJS.Timeout>();

function scheduleSweep(d: EffectDeps): void {
  clearTimeout(sweepTimers.get(d));
  if (!d.db.open) return;
  const next = nextReservationExpiry(d.db);
  if (!next) return;
  const delay = Math.max(0, Math.min(Date.parse(next) - Date.now(), 2 ** 31 - 1));
  const timer = setTimeout(() => {
    if (!d.db.open) return;
    try {
      for (const r of expireReservations(d.db, nowIso())) {
        d.events.emit('reservation.changed', { chargePointId: r.chargePointId, reservationId: r.reservationId, status: 'Expired', at: nowIso() });
      }
    } catch (err) {
      d.log.error({ err }, 'reservation expiry sweep failed');
    }
    scheduleSweep(d);
  }, delay);
  timer.unref();
  sweepTimers.set(d, timer);
}
