import { accessSync, constants } from "node:fs";
import chromium from "@sparticuz/chromium";

/**
 * The browser the journeys drive. By default the Chromium that ships inside the
 * `@sparticuz/chromium` npm package (unpacked to the temp folder on first use), so `npm install &&
 * npm test` needs no system package; `CHROMIUM_PATH` points at a browser of your own instead.
 * No browser is a failure that says how to get one, never a silent skip.
 */
export async function chromiumExecutable(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    try {
      accessSync(configured, constants.X_OK);
      return configured;
    } catch {
      throw new Error(
        `CHROMIUM_PATH=${configured} is not an executable browser. Unset it to use the Chromium from npm ` +
          "(@sparticuz/chromium, installed by `npm install`), or point it at an installed Chromium.",
      );
    }
  }
  try {
    return await chromium.executablePath();
  } catch (error) {
    throw new Error(
      "No browser for the journeys: the Chromium inside @sparticuz/chromium could not be unpacked " +
        `(${(error as Error).message}). Run \`npm install\`, or set CHROMIUM_PATH to an installed Chromium.`,
    );
  }
}

/** Headless flags for a closed network: without the background-networking ones Chromium keeps calling home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
