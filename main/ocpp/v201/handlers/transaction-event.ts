import { chargerInstant } from '../../../store/instant.js';
import { emitMeterValues, summariseSamples } from '../../domain/meter-events.js';
import { latestEnergyWh } from '../../meter.js';
import type { Handler } from '../context.js';
import { toIdTokenInfo } from '../id-token.js';
import { toSamples201 } from '../meter.js';

/**
 * Started / Updated / Ended of a station-chosen transaction id. Always acknowledged once stored
 * (durable before the answer): a repeat from the station's offline queue is applied once, a late
 * or out-of-order one lands in its session by seqNo (ops.transactionEvent). The core hears of a
 * session when it is first seen and when its Ended event is applied, as for 1.6 starts and stops.
 */
export const transactionEvent: Handler<'TransactionEvent'> = async (ctx, req) => {
  const timestamp = chargerInstant(req.timestamp, ctx.receivedAt);
  const evseId = req.evse?.id ?? null;
  const samples = toSamples201(ctx.chargePointId, evseId ?? 0, null, req.meterValue ?? [], 'TransactionEvent', ctx.receivedAt);
  const register = latestEnergyWh(samples);
  const r = await ctx.writer.run('transactionEvent', {
    chargePointId: ctx.chargePointId,
    chargerTransactionId: req.transactionInfo.transactionId,
    seqNo: req.seqNo,
    eventType: req.eventType,
    triggerReason: req.triggerReason,
    timestamp,
    offline: req.offline ?? false,
    idToken: req.idToken?.idToken ?? null,
    evseId,
    stoppedReason: req.transactionInfo.stoppedReason ?? null,
    chargingState: req.transactionInfo.chargingState ?? null,
    reservationId: req.reservationId ?? null,
    energyWh: register?.wh ?? null,
    samples,
    payload: JSON.stringify(req),
    receivedAt: ctx.receivedAt,
  });
  const s = r.session;
  if (s) {
    const { chargePointId } = ctx;
    if (r.created) {
      ctx.events.emit('transaction.started', { chargePointId, connectorId: s.connectorId, transactionId: r.sessionId, idTag: s.idTag, meterStart: s.meterStart, timestamp: s.startTime });
    }
    const energyWh = s.status === 'Completed' ? s.energyWh : register ? register.wh - s.meterStart : null;
    if (samples.length) emitMeterValues(ctx, s.connectorId, r.sessionId, summariseSamples(samples, energyWh));
    if (r.evseState) ctx.events.emit('connector.status', { chargePointId, connectorId: s.connectorId, status: r.evseState, errorCode: 'NoError', timestamp });
    if (r.ended) {
      if (s.gaps.length) ctx.log.warn({ cp: chargePointId, transactionId: req.transactionInfo.transactionId, missingSeqNos: s.gaps }, 'transaction ended with events still missing');
      ctx.events.emit('transaction.stopped', { chargePointId, transactionId: r.sessionId, meterStop: s.meterStop!, energyWh: s.energyWh, reason: s.stopReason!, timestamp: s.stopTime! });
    }
  }
  return r.idTagInfo ? { idTokenInfo: toIdTokenInfo(r.idTagInfo) } : {};
};
