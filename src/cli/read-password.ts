import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/**
 * A new account's password for the CLI, never from the command line (argv is visible to every
 * user of the machine through `ps` and lands in shell history): typed at a prompt that does not
 * echo, or piped on stdin (first line), which is how scripts and tests pass it.
 */
export async function readPassword(
  input: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown } = process.stdin,
  output: Writable = process.stderr,
): Promise<string> {
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input, output, terminal: true });
      // Print the question, then stay silent while the password is typed.
      const mute = rl as unknown as { _writeToOutput: (text: string) => void };
      output.write(question);
      mute._writeToOutput = () => {};
      rl.question("", (answer) => {
        rl.close();
        output.write("\n");
        resolve(answer);
      });
    });
  const first = await ask("Password (at least 12 characters): ");
  const again = await ask("Password again: ");
  if (first !== again) throw new Error("the two passwords differ");
  return first;
}
