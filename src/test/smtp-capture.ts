import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type TCapturedMail = { to: string[]; data: string };

/**
 * A real SMTP server on 127.0.0.1 (ephemeral port) that keeps every message it receives, so
 * e-mail tests go through nodemailer and the network instead of a mock transport.
 */
export async function startSmtpCapture(): Promise<{ url: string; mails: TCapturedMail[]; close: () => Promise<void> }> {
  const mails: TCapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
