import { parseX12_835 } from "@/server/services/ingestion/parse/parse-x12-835";

/**
 * Parse time of 1 MiB X12 835 bodies of pathological shapes (npm run bench:x12). The parser
 * must stay linear whatever the shape; src/server/services/ingestion/parse/x12-linear-time.test.ts
 * proves the growth ratio, this prints the absolute figures for this machine.
 */

const ISA = "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *240315*1200*^*00501*000000101*0*P*:~";
const MIB = 1024 * 1024;

function file(payload: string): string {
  return [
    ISA,
    "GS*HP*P*C*20240315*1200*101*X*005010X221A1~",
    "ST*835*0001~",
    "BPR*I*1*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240320~",
    "DTM*405*20240315~",
    "N1*PR*ACME~",
    "LX*1~",
    "CLP*C-1*1*100*80*0*12*ICN-1~",
    "DTM*050*20240301~",
    payload,
    "DTM*472*20240226~",
    "SE*11*0001~",
    "GE*1*101~",
    "IEA*1*000000101~",
  ].join("\n");
}

function ordinaryClaims(): string {
  const claims: string[] = [];
  for (let i = 0, size = 0; size < MIB; i += 1) {
    const claim = `CLP*C-${i}*1*100*80*0*12*ICN-${i}~\nSVC*HC:99213*100*80**1~\nDTM*472*20240226~`;
    claims.push(claim);
    size += claim.length + 1;
  }
  return file(claims.join("\n"));
}

const shapes: Record<string, string> = {
  "newlines inside one segment": file(`SVC*HC:99213*100*80**1*${"\n".repeat(MIB)}x~`),
  "one amount of digits ending in x": file(`SVC*HC:99213*100*${"8".repeat(MIB)}x**1~`),
  "element separators in one segment": file(`SVC*HC:99213*100*80**1${"*".repeat(MIB)}~`),
  "empty segments (~ CRLF)": file(`SVC*HC:99213*100*80**1~${"~\r\n".repeat(MIB / 3)}`),
  "ordinary claims": ordinaryClaims(),
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
