import { type DeviceVariable, variableColumns } from '../../../store/queries/device-model.js';
import type { Handler } from '../context.js';

/** One part of a device model report (GetBaseReport answers in parts, tbc = more to come): every attribute stored. */
export const notifyReport: Handler<'NotifyReport'> = async (ctx, req) => {
  const rows: DeviceVariable[] = (req.reportData ?? []).flatMap((d) =>
    d.variableAttribute.map((attr) => ({
      ...variableColumns(d),
      attributeType: attr.type ?? 'Actual',
      value: attr.value ?? null,
      mutability: attr.mutability ?? null,
      dataType: d.variableCharacteristics?.dataType ?? null,
      unit: d.variableCharacteristics?.unit ?? null,
    })),
  );
  await ctx.writer.runLazy('deviceReport', { chargePointId: ctx.chargePointId, requestId: req.requestId, rows, at: ctx.receivedAt });
  return {};
};
