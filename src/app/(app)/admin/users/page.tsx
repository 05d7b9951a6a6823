import { UsersAdmin } from "@/components/users-admin";
import { forPage } from "@/server/api/server-caller";

export default async function UsersPage() {
  await forPage((caller) => caller.users.list({ limit: 1 })); // ADMIN only: others see the 403 page
  return (
    <>
      <h1>Users</h1>
      <UsersAdmin />
    </>
  );
}
