import { describe, expect, it } from "vitest";
import { CPT_GROUP_CODES, cptGroupFor, isCptGroupCode } from "./cpt-groups";

describe("cptGroupFor", () => {
  // Every range edge, and the codes just outside it.
  const cases: Array<[string, string]> = [
    ["00099", "OTHER"],
    ["00100", "ANESTHESIA"],
    ["01999", "ANESTHESIA"],
    ["02000", "OTHER"],
    ["10003", "OTHER"],
    ["10004", "SURGERY"],
    ["69990", "SURGERY"],
    ["69991", "OTHER"],
    ["70009", "OTHER"],
    ["70010", "RADIOLOGY"],
    ["79999", "RADIOLOGY"],
    ["80046", "OTHER"],
    ["80047", "PATHOLOGY_LAB"],
    ["89398", "PATHOLOGY_LAB"],
    ["89399", "OTHER"],
    ["90280", "OTHER"],
    ["90281", "MEDICINE"],
    ["99199", "MEDICINE"],
    ["99200", "OTHER"],
    ["99201", "OTHER"],
    ["99202", "EM"],
    ["99213", "EM"],
    ["99499", "EM"],
    ["99500", "MEDICINE"],
    ["99607", "MEDICINE"],
    ["99608", "OTHER"],
    ["99999", "OTHER"],
    ["3074F", "CATEGORY_II"],
    ["0001F", "CATEGORY_II"],
    ["0042T", "CATEGORY_III"],
    ["0001U", "OTHER"],
    ["J1100", "HCPCS_J"],
    ["G0439", "HCPCS_G"],
    ["A4550", "HCPCS_A"],
    ["V2020", "HCPCS_V"],
    ["D0120", "OTHER"], // dental codes have no group of their own
    ["N1234", "OTHER"],
    ["", "OTHER"],
    ["9921", "OTHER"],
    ["992133", "OTHER"],
  ];

  it.each(cases)("%s -> %s", (code, group) => {
    expect(cptGroupFor(code)).toBe(group);
  });

  it("ignores case and surrounding spaces", () => {
    expect(cptGroupFor(" j1100 ")).toBe("HCPCS_J");
    expect(cptGroupFor("3074f")).toBe("CATEGORY_II");
  });

  it("always returns a cpt_groups code", () => {
    for (const code of ["00000", "50000", "99300", "Z9999", "abc", "1234T"]) {
      expect(isCptGroupCode(cptGroupFor(code))).toBe(true);
    }
    expect(CPT_GROUP_CODES).toContain("OTHER");
  });
});
