// POST /payment.php — the «URL внешнего сервиса» of the InSales payment method; keeps the original
// bridge's URL shape (docs/PRODUCT.md «Configuration contract»). Same handler as /api/insales/payment.
import { handleCheckout } from "@/app/api/insales/payment/checkout-http";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handleCheckout(request);
}
