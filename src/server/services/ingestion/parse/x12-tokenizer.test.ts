import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { componentsAt, elementAt, readSeparators, tokenizeX12, X12Tokenizer } from "./x12-tokenizer";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/x12/${name}`, import.meta.url), "utf8");

const ISA_STAR = "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *240315*1200*^*00501*000000101*0*P*:~";

describe("readSeparators", () => {
  it("reads * : ^ ~ from the fixed-width ISA", () => {
    expect(ISA_STAR).toHaveLength(106);
    expect(readSeparators(ISA_STAR, 0)).toEqual({ element: "*", component: ":", repetition: "^", segment: "~" });
  });

  it("reads | > ^ and a newline terminator", () => {
    const isa = fixture("alt-separators.835").slice(0, 106);
    expect(readSeparators(`${isa}\n`, 0)).toEqual({ element: "|", component: ">", repetition: "^", segment: "\n" });
  });

  it("still finds the separators when the sender stripped the ISA padding", () => {
    const unpadded = "ISA*00**00**ZZ*PAYER*ZZ*CLINIC*240315*1200*^*00501*000000101*0*P*:~GS*HP~";
    expect(readSeparators(unpadded, 0)).toEqual({ element: "*", component: ":", repetition: "^", segment: "~" });
  });

  it("has no repetition separator in a 4010 interchange (ISA11 = U)", () => {
    const isa4010 = ISA_STAR.replace("*^*00501*", "*U*00401*");
    expect(readSeparators(isa4010, 0)).toEqual({ element: "*", component: ":", repetition: undefined, segment: "~" });
  });

  it("refuses separators that collide or are letters/digits", () => {
    expect(readSeparators(ISA_STAR.replace(/:~$/, "~~"), 0)).toBeUndefined();
    expect(readSeparators(ISA_STAR.replace(/:~$/, ":A"), 0)).toBeUndefined();
    expect(readSeparators("ISA*00", 0)).toBeUndefined();
  });
});

describe("tokenizeX12", () => {
  it("numbers segments from 1 across the whole file and splits elements", () => {
    const { segments, errors } = tokenizeX12(fixture("basic-paid.835"));
    expect(errors).toEqual([]);
    expect(segments).toHaveLength(30);
    const svc = segments.find((segment) => segment.id === "SVC" && segment.index === 22);
    expect(svc && componentsAt(svc, 1)).toEqual(["HC", "85025", "QW"]);
    expect(svc && elementAt(svc, 5)).toBe("2");
    expect(svc && elementAt(svc, 9)).toBe("");
  });

  it("tolerates CRLF after the terminator and a final segment without one", () => {
    const text = `${fixture("basic-paid.835").replaceAll("~\n", "~\r\n").trimEnd().replace(/~$/, "")}`;
    const { segments, errors } = tokenizeX12(text);
    expect(errors).toEqual([]);
    expect(segments.at(-1)?.elements).toEqual(["IEA", "1", "000000101"]);
    expect(segments.every((segment) => !segment.id.includes("\r"))).toBe(true);
  });

  it("handles newline-terminated segments with CRLF line ends", () => {
    const { segments, errors } = tokenizeX12(fixture("alt-separators.835").replaceAll("\n", "\r\n"));
    expect(errors).toEqual([]);
    expect(segments.map((segment) => segment.id).slice(0, 4)).toEqual(["ISA", "GS", "ST", "BPR"]);
    expect(segments.every((segment) => segment.elements.every((element) => !element.includes("\r")))).toBe(true);
  });

  it("re-reads the separators at every ISA", () => {
    const { segments, errors } = tokenizeX12(fixture("multi-envelope.835"));
    expect(errors).toEqual([]);
    const svcs = segments.filter((segment) => segment.id === "SVC");
    expect(svcs.map((segment) => componentsAt(segment, 1)[1])).toEqual(["99212", "J1100", "97110", "99213"]);
    expect(svcs.at(-1)?.separators).toEqual({ element: "!", component: "}", repetition: "^", segment: "~" });
  });

  it("refuses text that starts with neither ISA nor ST; reads a bare ST with default separators", () => {
    expect(tokenizeX12(fixture("missing-isa.835")).errors).toEqual([{ line: 1, field: "ISA", message: expect.stringContaining("neither ISA nor ST") }]);
    expect(tokenizeX12("").errors).toHaveLength(1);
    const bare = tokenizeX12("\uFEFF  ST*835*1~BPR*I*0~SE*3*1~");
    expect(bare.errors).toEqual([]);
    expect(bare.bare).toBe(true);
    expect(bare.segments.map((segment) => segment.id)).toEqual(["ST", "BPR", "SE"]);
  });

  it("reports binary content as not a text file", () => {
    expect(tokenizeX12(`${ISA_STAR}\u0000\u0001`).errors).toEqual([{ line: 1, field: "file", message: "not a text file" }]);
  });

  it("reports a malformed ISA", () => {
    expect(tokenizeX12("ISA*00*short~").errors).toEqual([{ line: 1, field: "ISA", message: expect.stringContaining("malformed") }]);
  });

  it("keeps segments whose id is not an X12 id (the remittance reader ignores and counts them)", () => {
    const { errors, segments } = tokenizeX12(`${ISA_STAR}\nGS*HP~\n#!*x~\nIEA*0*000000101~`);
    expect(errors).toEqual([]);
    expect(segments.map((segment) => segment.id)).toEqual(["ISA", "GS", "#!", "IEA"]);
  });

  it("gives the same segments whatever the chunk boundaries", () => {
    const text = fixture("multi-envelope.835");
    const whole = tokenizeX12(text);
    for (const size of [1, 2, 3, 7, 64, 105, 107]) {
      const tokenizer = new X12Tokenizer();
      for (let at = 0; at < text.length; at += size) tokenizer.push(text.slice(at, at + size));
      expect(tokenizer.end()).toEqual(whole);
    }
  });

  it("stops at the segment and element limits, naming them", () => {
    const text = fixture("basic-paid.835");
    expect(() => tokenizeX12(text, { maxSegments: 10, maxElements: 1_000_000 })).toThrow(expect.objectContaining({ limit: "X12_MAX_SEGMENTS", max: 10 }));
    expect(() => tokenizeX12(text, { maxSegments: 1_000_000, maxElements: 50 })).toThrow(expect.objectContaining({ limit: "X12_MAX_ELEMENTS", max: 50 }));
    expect(tokenizeX12(text, { maxSegments: 30, maxElements: 1_000 }).errors).toEqual([]);
  });
});
