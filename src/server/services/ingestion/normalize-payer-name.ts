/**
 * The key a raw payer name is mapped by (payer_mappings.normalized_name): lower case, runs of
 * white space as one space, trimmed. "United  Healthcare " and "united healthcare" are one name;
 * "UHC" is another, which an admin maps to the same payer.
 */
export function normalizePayerName(raw: string): string {
  return raw.trim().replace(/\s+/g, " ").toLowerCase();
}
