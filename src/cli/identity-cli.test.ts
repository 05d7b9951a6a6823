import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { verifyPassword } from "@/server/lib/passwords";
import { createTestUser, uniqueSuffix } from "@/test/factories";

/**
 * The operator CLI's account commands, as an operator runs them (a real process against the
 * test database): the first admin's password never appears on the command line.
 */

function cli(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/driftline.ts", ...args], {
      env: { ...process.env, SMTP_URL: "", PUBLIC_URL: "", LOG_LEVEL: "silent" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("CLI accounts", () => {
  it("create-user --superuser reads the password from stdin; --password on the command line is refused", { timeout: 180_000 }, async () => {
    const email = `first-admin-${uniqueSuffix()}@example.test`;
    const refused = await cli(["create-user", "--email", email, "--superuser", "--password", "typed-on-the-command-line"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--password is refused/);
    expect(await db().user.findUnique({ where: { email } })).toBeNull();

    const created = await cli(["create-user", "--email", email, "--superuser"], "piped-password-for-admin\n");
    expect(created.code, created.stderr).toBe(0);
    const user = await db().user.findUniqueOrThrow({ where: { email }, select: { id: true, isSuperuser: true, passwordHash: true } });
    expect(created.stdout.trim()).toBe(user.id);
    expect(user.isSuperuser).toBe(true);
    expect(await verifyPassword(user.passwordHash, "piped-password-for-admin")).toBe(true);
  });

  it("reset-password prints a single-use link (no SMTP); disable-user ends the account's sessions", { timeout: 180_000 }, async () => {
    const user = await createTestUser({ password: "old-password-12345" });
    const issued = await cli(["reset-password", "--email", user.email]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout.trim()).toMatch(/^\/reset-password#token=dlr_[A-Za-z0-9_-]{43}$/);
    const disabled = await cli(["disable-user", "--email", user.email]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).not.toBeNull();
    const audit = await db().auditEvent.findMany({ where: { customerId: null, resourceId: user.id }, select: { action: true, actorLabel: true } });
    expect(audit.map((a) => a.action).sort()).toEqual(["account.disable", "account.password_reset_issued"]);
    expect(audit.every((a) => a.actorLabel === "cli")).toBe(true);
  });
});
