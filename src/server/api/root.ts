import { accountsRouter } from "./routers/accounts";
import { apiKeysRouter } from "./routers/api-keys";
import { auditEventsRouter } from "./routers/audit-events";
import { customersRouter } from "./routers/customers";
import { healthRouter } from "./routers/health";
import { settingsRouter } from "./routers/settings";
import { usersRouter } from "./routers/users";
import { invitationsRouter } from "./routers/invitations";
import { passwordResetsRouter } from "./routers/password-resets";
import { cataloguesRouter } from "./routers/catalogues";
import { claimsRouter } from "./routers/claims";
import { cptMappingsRouter } from "./routers/cpt-mappings";
import { ingestRouter } from "./routers/ingest";
import { payerMappingsRouter } from "./routers/payer-mappings";
import { underpaymentsRouter } from "./routers/underpayments";
import { uploadsRouter } from "./routers/uploads";
import { driftEventsRouter } from "./routers/drift-events";
import { reportsRouter } from "./routers/reports";
import { dashboardRouter } from "./routers/dashboard";
import { exportsRouter } from "./routers/exports";
import { feeSchedulesRouter } from "./routers/fee-schedules";
import { alertRulesRouter } from "./routers/alert-rules";
import { alertsRouter } from "./routers/alerts";
import { webhookDeliveriesRouter } from "./routers/webhook-deliveries";
import { webhookEndpointsRouter } from "./routers/webhook-endpoints";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** Every procedure of Driftline; the REST façade exposes those with OpenAPI metadata. */
export const appRouter = createTRPCRouter({
  health: healthRouter,
  customers: customersRouter,
  settings: settingsRouter,
  users: usersRouter,
  invitations: invitationsRouter,
  passwordResets: passwordResetsRouter,
  accounts: accountsRouter,
  apiKeys: apiKeysRouter,
  auditEvents: auditEventsRouter,
  uploads: uploadsRouter,
  ingest: ingestRouter,
  claims: claimsRouter,
  payerMappings: payerMappingsRouter,
  cptMappings: cptMappingsRouter,
  catalogues: cataloguesRouter,
  reports: reportsRouter,
  driftEvents: driftEventsRouter,
  dashboard: dashboardRouter,
  exports: exportsRouter,
  feeSchedules: feeSchedulesRouter,
  underpayments: underpaymentsRouter,
  alertRules: alertRulesRouter,
  alerts: alertsRouter,
  webhookEndpoints: webhookEndpointsRouter,
  webhookDeliveries: webhookDeliveriesRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
