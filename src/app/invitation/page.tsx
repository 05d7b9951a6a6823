import { AcceptInvitation } from "@/components/accept-invitation";
import { TRPCReactProvider } from "@/trpc/react";

export const metadata = { title: "Accept an invitation · Driftline" };

/** Outside the signed-in shell: invitees usually have no session yet. */
export default function InvitationPage() {
  return (
    <TRPCReactProvider>
      <main className="narrow">
        <h1>Join Driftline</h1>
        <AcceptInvitation />
      </main>
    </TRPCReactProvider>
  );
}
