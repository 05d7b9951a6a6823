import { ResetPassword } from "@/components/reset-password";
import { TRPCReactProvider } from "@/trpc/react";

export const metadata = { title: "Reset your password · Driftline" };

export default function ResetPasswordPage() {
  return (
    <TRPCReactProvider>
      <main className="narrow">
        <h1>Reset your password</h1>
        <ResetPassword />
      </main>
    </TRPCReactProvider>
  );
}
