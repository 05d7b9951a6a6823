import { afterEach, describe, expect, it, vi } from "vitest";
import {
  OWASP_PASSWORD_HASH_PARAMS,
  TEST_PASSWORD_HASH_PARAMS,
  hashPassword,
  needsRehash,
  passwordHashParams,
  setPasswordHashParams,
  verifyDummyPassword,
  verifyPassword,
} from "./passwords";

afterEach(() => {
  setPasswordHashParams(undefined);
  vi.unstubAllEnvs();
});

describe("passwords", () => {
  it("hashes with argon2id and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(await verifyPassword(stored, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(stored, "correct horse battery stapler")).toBe(false);
    expect(await verifyPassword(stored, "")).toBe(false);
  });

  it("salts every hash", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).not.toBe(b);
    expect(await verifyPassword(b, "same password")).toBe(true);
  });

  it("returns false, never throws, for malformed or foreign hashes", async () => {
    expect(await verifyPassword("not a hash", "x")).toBe(false);
    expect(await verifyPassword("$argon2id$garbage", "x")).toBe(false);
    expect(await verifyPassword("$2b$10$abcdefghijklmnopqrstuv", "x")).toBe(false);
  });

  it("uses small parameters under test and OWASP parameters otherwise", async () => {
    expect(passwordHashParams()).toEqual(TEST_PASSWORD_HASH_PARAMS);
    vi.stubEnv("DRIFTLINE_MODE", "production");
    expect(passwordHashParams()).toEqual(OWASP_PASSWORD_HASH_PARAMS);
    vi.stubEnv("DRIFTLINE_MODE", "development");
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("ARGON2_TEST_FAST", "1");
    expect(passwordHashParams()).toEqual(OWASP_PASSWORD_HASH_PARAMS);
    vi.stubEnv("NODE_ENV", "development");
    expect(passwordHashParams()).toEqual(TEST_PASSWORD_HASH_PARAMS);
    expect(OWASP_PASSWORD_HASH_PARAMS).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it("hashes with configured parameters and reports when a hash needs upgrading", async () => {
    setPasswordHashParams({ memoryCost: 2_048, timeCost: 2, parallelism: 1 });
    const stored = await hashPassword("configurable");
    expect(stored).toContain("$m=2048,t=2,p=1$");
    expect(needsRehash(stored)).toBe(false);
    expect(needsRehash(stored, OWASP_PASSWORD_HASH_PARAMS)).toBe(true);
    expect(needsRehash("garbage")).toBe(true);
    // A hash made with other parameters still verifies: parameters live in the hash.
    setPasswordHashParams(undefined);
    expect(await verifyPassword(stored, "configurable")).toBe(true);
  });

  it("refuses empty and overlong passwords", async () => {
    await expect(hashPassword("")).rejects.toThrow();
    await expect(hashPassword("x".repeat(1_025))).rejects.toThrow();
    expect(await verifyDummyPassword("anything")).toBe(false);
  });
});
