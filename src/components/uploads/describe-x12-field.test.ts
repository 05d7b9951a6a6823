import { describe, expect, it } from "vitest";
import { describeX12Field } from "./describe-x12-field";

describe("describeX12Field", () => {
  it("names the segment and the element in plain words, keeping the code", () => {
    expect(describeX12Field("SVC01")).toEqual({ what: "Service line: procedure code", code: "SVC01" });
    expect(describeX12Field("SVC01-3")).toEqual({ what: "Service line: procedure modifier", code: "SVC01-3" });
    expect(describeX12Field("DTM*472")).toEqual({ what: "Date: service date", code: "DTM*472" });
    expect(describeX12Field("N104")).toEqual({ what: "Payer or payee: identifier", code: "N104" });
    expect(describeX12Field("SE01")).toEqual({ what: "Remittance end: segment count", code: "SE01" });
  });

  it("knows every PLB position: reason, amount, and what follows the sixth pair", () => {
    expect(describeX12Field("PLB03").what).toBe("Provider-level adjustment: adjustment reason");
    expect(describeX12Field("PLB14").what).toBe("Provider-level adjustment: adjustment amount");
    expect(describeX12Field("PLB15").what).toBe("Provider-level adjustment: more than six adjustments");
    expect(describeX12Field("PLB02").what).toBe("Provider-level adjustment: fiscal period date");
  });

  it("falls back to the segment, then to the field itself", () => {
    expect(describeX12Field("CAS04")).toEqual({ what: "Adjustment", code: "CAS04" });
    expect(describeX12Field("ISA")).toEqual({ what: "Interchange envelope", code: "ISA" });
    expect(describeX12Field("file")).toEqual({ what: "The whole file", code: null });
    expect(describeX12Field("paidAmount")).toEqual({ what: "paidAmount", code: null });
  });
});
