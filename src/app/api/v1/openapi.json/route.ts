import { handleOpenApiDocument } from "@/server/api/http";

export const dynamic = "force-dynamic";

export { handleOpenApiDocument as GET };
