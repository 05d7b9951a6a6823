import { describe, expect, it } from "vitest";
import { assertSafeWebhookUrl, isForbiddenAddress } from "./ssrf-guard";
import { sendWebhook } from "./send-webhook";
import { startReceiver } from "@/test/alerts-kit";

/** The SSRF guard with private targets NOT allowed (as outside development). */

const guarded = { allowPrivate: false };

describe("SSRF guard", () => {
  it.each([
    ["loopback", "https://127.0.0.1/hook"],
    ["loopback, other address", "https://127.8.9.10/hook"],
    ["10.x", "https://10.1.2.3/hook"],
    ["172.16/12", "https://172.20.0.1/hook"],
    ["192.168/16", "https://192.168.1.1/hook"],
    ["cloud metadata", "https://169.254.169.254/latest/meta-data"],
    ["CGNAT", "https://100.64.0.1/hook"],
    ["unspecified", "https://0.0.0.0/hook"],
    ["IPv6 loopback", "https://[::1]/hook"],
    ["IPv6 unique local", "https://[fd12:3456::1]/hook"],
    ["AWS IPv6 metadata", "https://[fd00:ec2::254]/hook"],
    ["IPv6 link-local", "https://[fe80::1]/hook"],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/hook"],
    ["IPv4-mapped metadata (hex form)", "https://[::ffff:a9fe:a9fe]/hook"],
    ["plain http", "http://93.184.216.34/hook"],
    ["credentials in URL", "https://user:pw@93.184.216.34/hook"],
  ])("refuses %s (%s)", async (_name, url) => {
    await expect(assertSafeWebhookUrl(url, guarded)).rejects.toMatchObject({ code: "BAD_REQUEST", details: { errors: [{ path: "url" }] } });
  });

  it("refuses a host name that resolves to a private address (real DNS: localhost)", async () => {
    await expect(assertSafeWebhookUrl("https://localhost/hook", guarded)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuses a host name when ANY of its addresses is private", async () => {
    const resolve = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    await expect(assertSafeWebhookUrl("https://hooks.customer.example/x", { ...guarded, resolve })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("accepts a public https target", async () => {
    await expect(assertSafeWebhookUrl("https://93.184.216.34/hook", guarded)).resolves.toBeInstanceOf(URL);
    const resolve = async () => [{ address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 }];
    await expect(assertSafeWebhookUrl("https://hooks.customer.example/x", { ...guarded, resolve })).resolves.toBeInstanceOf(URL);
  });

  it("classifies addresses", () => {
    expect(isForbiddenAddress("8.8.8.8")).toBe(false);
    expect(isForbiddenAddress("::ffff:8.8.8.8")).toBe(false);
    expect(isForbiddenAddress("169.254.1.1")).toBe(true);
    expect(isForbiddenAddress("64:ff9b::10.0.0.1")).toBe(true);
    expect(isForbiddenAddress("not-an-ip")).toBe(true);
  });

  it("is checked again at send time: a private target is never contacted", async () => {
    const receiver = await startReceiver();
    try {
      const result = await sendWebhook({
        url: receiver.url,
        messageId: "msg_x",
        body: "{}",
        secrets: ["whsec_" + Buffer.alloc(32, 1).toString("base64")],
        timeoutMs: 1000,
        allowPrivate: false,
      });
      expect(result).toMatchObject({ statusCode: null, errorKind: "forbidden_address" });
      const viaName = await sendWebhook({
        url: receiver.url.replace("http://127.0.0.1", "https://localhost"),
        messageId: "msg_y",
        body: "{}",
        secrets: ["whsec_" + Buffer.alloc(32, 1).toString("base64")],
        timeoutMs: 1000,
        allowPrivate: false,
      });
      expect(viaName.errorKind).toBe("forbidden_address");
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
