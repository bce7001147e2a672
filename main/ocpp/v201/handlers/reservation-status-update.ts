import type { Handler } from '../context.js';

/** A reservation expired or was removed on the station (2.0.1 reports it; 1.6 chargers never did). */
export const reservationStatusUpdate: Handler<'ReservationStatusUpdate'> = async (ctx, req) => {
  const known = await ctx.writer.runLazy('reservationStatus', { chargePointId: ctx.chargePointId, reservationId: req.reservationId, status: req.reservationUpdateStatus, at: ctx.receivedAt });
  if (known) ctx.events.emit('reservation.changed', { chargePointId: ctx.chargePointId, reservationId: req.reservationId, status: req.reservationUpdateStatus, at: ctx.receivedAt });
  else ctx.log.warn({ cp: ctx.chargePointId, reservationId: req.reservationId }, 'status update for a reservation this station does not hold');
  return {};
};
