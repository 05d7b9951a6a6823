import nodemailer from "nodemailer";
import { env } from "@/env";
import { logger } from "@/server/lib/logger";
import { tokenPath, type TTokenKind } from "@/server/lib/one-time-token";

/**
 * Invitation and password-reset e-mails. A link goes by e-mail only when both SMTP_URL and
 * PUBLIC_URL are set (the link must start with the configured address, never a Host header a
 * caller chose); otherwise the caller shows it once to whoever asked (the inviting admin, a
 * superuser, the CLI). Sent after commit, with no transaction open.
 */

export interface TIdentityMailConfig {
  smtpUrl?: string | null;
  publicUrl?: string | null;
}

export type TLinkDelivery = "EMAIL" | "LINK";

function resolve(config: TIdentityMailConfig = {}): { smtpUrl: string | null; publicUrl: string | null } {
  return {
    smtpUrl: config.smtpUrl === undefined ? (env().SMTP_URL ?? null) : config.smtpUrl,
    publicUrl: config.publicUrl === undefined ? (env().PUBLIC_URL ?? null) : config.publicUrl,
  };
}

export function linkDelivery(config?: TIdentityMailConfig): TLinkDelivery {
  const { smtpUrl, publicUrl } = resolve(config);
  return smtpUrl && publicUrl ? "EMAIL" : "LINK";
}

function compose(kind: TTokenKind, link: string, about: { customerName?: string; role?: string }): { subject: string; text: string } {
  if (kind === "invitation") {
    return {
      subject: `[Driftline] You are invited to ${about.customerName ?? "a Driftline customer"}`,
      text: [
        `You have been invited to join ${about.customerName ?? "a customer"} on Driftline as ${about.role ?? "a member"}.`,
        "",
        `Open this link to accept (it works once and expires in 7 days):`,
        link,
        "",
        "If you already have a Driftline account, sign in with it when asked; otherwise you choose your password there.",
        "If you did not expect this invitation, ignore this e-mail.",
      ].join("\n"),
    };
  }
  return {
    subject: "[Driftline] Reset your password",
    text: [
      "Someone asked to reset the password of your Driftline account.",
      "",
      "Open this link to choose a new password (it works once and expires in 1 hour):",
      link,
      "",
      "If you did not ask for this, ignore this e-mail: your password stays as it is.",
    ].join("\n"),
  };
}

/** Sends the link; true when the SMTP server took it. Never throws (the caller reports it). */
export async function sendTokenEmail(
  kind: TTokenKind,
  to: string,
  token: string,
  about: { customerName?: string; role?: string } = {},
  config?: TIdentityMailConfig,
): Promise<boolean> {
  const { smtpUrl, publicUrl } = resolve(config);
  if (!smtpUrl || !publicUrl) return false;
  const link = new URL(tokenPath(kind, token), publicUrl).toString();
  try {
    await nodemailer.createTransport(smtpUrl).sendMail({ from: "Driftline <accounts@driftline.invalid>", to, ...compose(kind, link, about) });
    return true;
  } catch (error) {
    // The address is left out of the log on purpose (no personal data in logs).
    logger.warn({ kind, err: (error as Error).message }, "identity e-mail failed");
    return false;
  }
}
