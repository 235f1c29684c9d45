"use client";
// The state of the shop's «Внешний способ оплаты» and the button that creates/updates it. While the job
// runs (CONNECTING) the page refreshes itself every 2 s until the state settles.
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { connectGatewayAction } from "./connect-gateway-action";

export type GatewayStatusView = {
  state: "NOT_CONNECTED" | "CONNECTING" | "CONNECTED" | "FAILED";
  lastError: string | null;
  /** Ever created in InSales (then the button updates it). */
  hasGateway: boolean;
};

const LABELS: Record<GatewayStatusView["state"], string> = {
  NOT_CONNECTED: "Не подключён",
  CONNECTING: "Подключается…",
  CONNECTED: "Подключён",
  FAILED: "Ошибка подключения",
};

export function GatewayConnectButton({ status }: { status: GatewayStatusView }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const connecting = status.state === "CONNECTING";

  useEffect(() => {
    if (!connecting) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [connecting, router]);

  const onClick = () => {
    setMessage(null);
    startTransition(async () => {
      const result = await connectGatewayAction();
      if (!result.ok) setMessage(result.message);
      router.refresh();
    });
  };

  return (
    <div data-testid="gateway-status">
      <p>
        Состояние: <strong data-state={status.state}>{LABELS[status.state]}</strong>
      </p>
      {status.state === "FAILED" && status.lastError ? <p role="alert">{status.lastError}</p> : null}
      {message ? <p role="alert">{message}</p> : null}
      <button type="button" onClick={onClick} disabled={pending || connecting}>
        {status.hasGateway || status.state === "CONNECTED" ? "Обновить способ оплаты" : "Подключить способ оплаты"}
      </button>
    </div>
  );
}
