import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { openApiDocument } from "@/server/api/openapi";

/**
 * Writes the TypeScript types of the example REST client (examples/typescript-client) from the
 * OpenAPI document this code base serves, with openapi-typescript — what a caller does with
 * `npx openapi-typescript https://…/api/v1/openapi.json -o driftline-api.d.ts`, but from the
 * source, so it needs no running server. `npm run generate:example-client`; the test
 * src/server/api/example-client.test.ts fails while the checked-in file differs from this output.
 */

export const EXAMPLE_CLIENT_TYPES = fileURLToPath(new URL("../../examples/typescript-client/driftline-api.d.ts", import.meta.url));

export async function exampleClientTypes(document: object = openApiDocument()): Promise<string> {
  // structuredClone: openapi-typescript must not touch the cached document the app serves.
  const ast = await openapiTS(structuredClone(document) as Parameters<typeof openapiTS>[0], { silent: true });
  return `${COMMENT_HEADER}// Regenerate with \`npm run generate:example-client\` (src/cli/generate-example-client-types.ts).\n\n${astToString(ast)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(EXAMPLE_CLIENT_TYPES, await exampleClientTypes());
  console.log(`wrote ${EXAMPLE_CLIENT_TYPES}`);
}
