import { parseX12_835 } from "@/server/services/ingestion/parse/parse-x12-835";
import { pathologicalX12 } from "@/test/x12-pathological";

/**
 * Parse time of 1 MiB X12 835 bodies of pathological shapes (npm run bench:x12). The parser
 * must stay linear whatever the shape; src/server/services/ingestion/parse/x12-linear-time.test.ts
 * proves the growth ratio, this prints the absolute figures for this machine.
 */

const MIB = 1024 * 1024;
// ordinaryClaims takes a claim count: about 77 bytes a claim.
const CLAIMS_IN_A_MIB = Math.ceil(MIB / 77);

const shapes: Record<string, string> = {
  "newlines inside one segment": pathologicalX12.newlinesInSegment(MIB),
  "one amount of digits ending in x": pathologicalX12.longAmount(MIB),
  "element separators in one segment": pathologicalX12.manyElements(MIB),
  "empty segments (~ CRLF, indented)": pathologicalX12.blankSegments(MIB / 4),
  "ordinary claims": pathologicalX12.ordinaryClaims(CLAIMS_IN_A_MIB),
};

for (const [name, text] of Object.entries(shapes)) {
  const times: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const started = performance.now();
    parseX12_835(text);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(36)} ${(text.length / MIB).toFixed(2)} MiB  best ${times[0]!.toFixed(1)} ms  median ${times[2]!.toFixed(1)} ms`);
}
