import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";

/** The detection run ("report run") resource of the API, and the select that feeds it. */

export const ZRunTrigger = z.enum(["UPLOAD", "MANUAL", "SCHEDULED", "CLI"]);
export const ZRunStatus = z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]);

export const ZDetectionRun = z.object({
  id: z.uuid(),
  trigger: ZRunTrigger,
  status: ZRunStatus,
  requestedById: z.string().nullable(),
  queuedAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  durationMs: z.number().int().nullable(),
  baselineStart: z.string().nullable().describe("YYYY-MM-DD, inclusive"),
  baselineEnd: z.string().nullable(),
  currentStart: z.string().nullable(),
  currentEnd: z.string().nullable(),
  cellsTested: z.number().int(),
  cellsSkipped: z.number().int(),
  eventsOpened: z.number().int(),
  eventsUpdated: z.number().int(),
  eventsResolved: z.number().int(),
  summary: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
});
export type TDetectionRun = z.infer<typeof ZDetectionRun>;

export const detectionRunSelect = {
  id: true,
  trigger: true,
  status: true,
  requestedById: true,
  queuedAt: true,
  startedAt: true,
  finishedAt: true,
  baselineStart: true,
  baselineEnd: true,
  currentStart: true,
  currentEnd: true,
  cellsTested: true,
  cellsSkipped: true,
  eventsOpened: true,
  eventsUpdated: true,
  eventsResolved: true,
  summary: true,
  error: true,
} satisfies Prisma.DetectionRunSelect;

type TRunRow = Prisma.DetectionRunGetPayload<{ select: typeof detectionRunSelect }>;

const day = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : null);

export function toDetectionRun(row: TRunRow): TDetectionRun {
  return {
    ...row,
    durationMs: row.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
    baselineStart: day(row.baselineStart),
    baselineEnd: day(row.baselineEnd),
    currentStart: day(row.currentStart),
    currentEnd: day(row.currentEnd),
    summary: (row.summary ?? {}) as Record<string, unknown>,
  };
}
