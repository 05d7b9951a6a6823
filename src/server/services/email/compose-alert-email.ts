import { db } from "@/server/db/client";

/** Subject and text of an alert e-mail: aggregates only (payer, group, type, values), no PHI. */
export async function composeAlertEmail(customerId: string, alertEventId: string): Promise<{ subject: string; text: string }> {
  const alert = await db().alertEvent.findFirstOrThrow({
    where: { id: alertEventId, customerId },
    select: {
      id: true,
      createdAt: true,
      rule: { select: { name: true } },
      driftEvent: {
        select: {
          driftType: true,
          cptGroup: true,
          baselineValue: true,
          currentValue: true,
          delta: true,
          severity: true,
          qValue: true,
          estimatedRevenueImpact: true,
          direction: true,
          payer: { select: { name: true } },
        },
      },
    },
  });
  const d = alert.driftEvent;
  const subject = `[Driftline] ${d.payer.name} - ${d.cptGroup} - ${d.driftType} (${alert.rule.name})`;
  const text = [
    `Rule "${alert.rule.name}" raised an alert at ${alert.createdAt.toISOString()}.`,
    "",
    `Payer: ${d.payer.name}`,
    `CPT group: ${d.cptGroup}`,
    `Drift type: ${d.driftType} (${d.direction})`,
    `Baseline: ${d.baselineValue.toFixed(4)}  Current: ${d.currentValue.toFixed(4)}  Delta: ${d.delta.toFixed(4)}`,
    `Severity: ${d.severity.toFixed(2)}  q: ${d.qValue.toExponential(2)}`,
    `Estimated revenue impact: $${d.estimatedRevenueImpact.toFixed(2)} per month`,
    "",
    `Alert id: ${alert.id}`,
  ].join("\n");
  return { subject, text };
}
