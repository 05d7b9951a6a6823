import { expect, test, type Page } from "@playwright/test";

const PASSWORD = "driftline-demo";

async function signIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

test("the interactive API docs render the REST operations", async ({ page }) => {
  await page.goto("/api/v1/docs");
  await expect(page.locator(".swagger-ui")).toBeVisible();
  await expect(page.getByText("Driftline REST API").first()).toBeVisible();
  await expect(page.locator(".opblock-summary-path", { hasText: "/customers/me" }).first()).toBeVisible();
});

test("signed-out visitors are sent to sign in; a wrong password is refused", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill("admin@northwind-clinic.example");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("p[role=alert]")).toContainText("do not match");
});

test("a viewer has no admin navigation and typed admin URLs show the 403 page", async ({ page }) => {
  await signIn(page, "viewer@northwind-clinic.example");
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: /403/ })).toBeVisible();
});

test("an admin creates an API key that is shown once and then works over REST", async ({ page, request }) => {
  await signIn(page, "admin@northwind-clinic.example");
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name").fill(`e2e key ${Date.now()}`);
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^dl_/);
  const me = await request.get("/api/v1/customers/me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).customer.slug).toBe("northwind-clinic");
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("cell", { name: "api_key.create" }).first()).toBeVisible();
});
