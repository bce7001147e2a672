import type { DeviceVariable } from '../../../store/queries/device-model.js';
import type { Handler } from '../context.js';

/** One part of a device model report (GetBaseReport answers in parts, tbc = more to come): every attribute stored. */
export const notifyReport: Handler<'NotifyReport'> = async (ctx, req) => {
  const rows: DeviceVariable[] = (req.reportData ?? []).flatMap((d) =>
    d.variableAttribute.map((attr) => ({
      component: d.component.name,
      componentInstance: d.component.instance ?? null,
      evseId: d.component.evse?.id ?? null,
      connectorId: d.component.evse?.connectorId ?? null,
      variable: d.variable.name,
      variableInstance: d.variable.instance ?? null,
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
