import { describe, expect, it } from "vitest";
import { rootCauseSentence, type TNarrativeRootCause } from "./root-cause-narrative";

const rate = { driftType: "DENIAL_RATE" as const, direction: "UP" as const, denialReason: null };
const carc = (group: string, code: string, baselineShare: number, currentShare: number, dominant: boolean) => ({
  group,
  code,
  baselineShare,
  currentShare,
  dominant,
});
const procedure = (cptCode: string, values: Partial<TNarrativeRootCause["procedures"][number]> = {}) => ({
  cptCode,
  baselineShare: 0.33,
  currentShare: 0.33,
  baselineValue: 0.1,
  currentValue: 0.1,
  mixEffect: 0,
  rateEffect: 0,
  dominant: false,
  ...values,
});
const cause = (values: Partial<TNarrativeRootCause>): TNarrativeRootCause => ({
  denialReasons: { carcs: [] },
  procedures: [],
  changeDate: null,
  dominant: null,
  ...values,
});

describe("root cause sentence", () => {
  it("names a dominant CARC with its meaning, its shares of lines and the start of the change", () => {
    const sentence = rootCauseSentence(
      rate,
      cause({
        denialReasons: { carcs: [carc("CO", "197", 0.01, 0.24, true), carc("CO", "50", 0.09, 0.09, false)] },
        changeDate: { date: "2026-11-12", uncertaintyDays: 2 },
        dominant: { kind: "CARC", code: "CO-197" },
      }),
    );
    expect(sentence).toBe(
      "Most of the rise is CO-197 (precertification or authorization was missing), from 1 % to 24 % of lines, starting around Nov 12 (± 2 days).",
    );
  });

  it("names a procedure: by its share of lines for a mix shift, by its own level otherwise", () => {
    const mix = procedure("99215", { baselineShare: 0.1, currentShare: 0.6, mixEffect: 0.12, rateEffect: 0.01, dominant: true });
    expect(
      rootCauseSentence(
        rate,
        cause({ procedures: [mix], dominant: { kind: "PROCEDURE", code: "99215" }, changeDate: { date: "2026-11-17", uncertaintyDays: 0 } }),
      ),
    ).toBe("Most of the rise comes from CPT 99215, whose share of these lines went from 10 % to 60 %, starting around Nov 17.");
    const cut = procedure("80053", { baselineValue: 1, currentValue: 0.8, mixEffect: 0, rateEffect: -0.07, dominant: true });
    expect(
      rootCauseSentence(
        { driftType: "PAYMENT_AMOUNT", direction: "DOWN", denialReason: null },
        cause({ procedures: [cut], dominant: { kind: "PROCEDURE", code: "80053" } }),
      ),
    ).toBe("Most of the drop is in CPT 80053, where the allowed amount against its usual one went from 100 % to 80 %.");
  });

  it("names nothing without a dominant cause, but still dates the change; no root cause, no sentence", () => {
    expect(
      rootCauseSentence(
        { ...rate, driftType: "DECISION_TIME" },
        cause({ denialReasons: { carcs: [carc("CO", "50", 0.05, 0.09, false)] }, changeDate: { date: "2026-11-03", uncertaintyDays: 1 } }),
      ),
    ).toBe("No single denial reason or procedure explains most of the slowdown; it began around Nov 3 (± 1 day).");
    expect(rootCauseSentence(rate, null)).toBeNull();
  });
});
