import type { TActor } from "@/server/lib/actor";
import type { TCaller } from "./context";

/** The audit identity of the caller of a procedure. */
export function actorOf(ctx: { caller: TCaller; requestId: string; ip: string | null }): TActor {
  return { userId: ctx.caller.userId, apiKeyId: ctx.caller.apiKeyId, label: ctx.caller.label, requestId: ctx.requestId, ip: ctx.ip };
}
