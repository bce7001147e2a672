import type { RemoteStartTransactionRequest } from '../../ocpp/schema/ocpp16.js';
import type { CommandEffect } from './types.js';

interface Wait {
  transactionId: Promise<number | null>;
  cancel: () => void;
}

/** Keyed by the request object of one execution, which prepare/after/failed all receive. */
const waits = new WeakMap<RemoteStartTransactionRequest, Wait>();

/**
 * Answers with the charger's status and, once the charger reports the StartTransaction, its
 * transactionId, so the caller can stop what it started. The listener is set up before the
 * call goes out so a fast charger cannot slip past it.
 */
export const remoteStartTransaction: CommandEffect<'RemoteStartTransaction'> = {
  prepare(d, cp, payload) {
    const request = { ...payload };
    let cancel = () => {};
    const transactionId = new Promise<number | null>((resolve) => {
      const off = d.events.on('transaction.started', (t) => {
        if (t.chargePointId !== cp || t.idTag !== request.idTag) return;
        if (request.connectorId !== undefined && t.connectorId !== request.connectorId) return;
        done(t.transactionId);
      });
      const timer = setTimeout(() => done(null), d.config.remoteStartWaitMs);
      const done = (id: number | null) => {
        clearTimeout(timer);
        off();
        resolve(id);
      };
      cancel = () => done(null);
    });
    waits.set(request, { transactionId, cancel });
    return request;
  },
  async after(_d, _cp, req, res) {
    const wait = waits.get(req);
    waits.delete(req);
    if (!wait) return { transactionId: null };
    if (res.status !== 'Accepted') {
      wait.cancel();
      return { transactionId: null };
    }
    const transactionId = await wait.transactionId;
    return transactionId === null ? { transactionId: null, note: 'charger accepted but reported no StartTransaction in time' } : { transactionId };
  },
  failed(_d, _cp, req) {
    waits.get(req)?.cancel();
    waits.delete(req);
  },
};
