// Prisma 7 reads its datasource URL from here, not from schema.prisma.
//
// The database schema is owned by dbmate (`prisma/migrations/*.sql`); Prisma only generates the
// typed client from `prisma/schema.prisma`. Do not run `prisma migrate` or `prisma db push`:
// the SQL migrations carry CHECKs, triggers, partial and covering indexes the Prisma schema
// cannot express, and Prisma's schema engine is not downloadable on these machines anyway.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: {
    // `prisma generate` never connects, so a placeholder keeps it working without a database.
    // (`env()` from prisma/config would throw when DATABASE_URL is unset.)
    url: process.env.DATABASE_URL ?? "postgresql://localhost/driftline",
  },
});
