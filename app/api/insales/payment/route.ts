// POST /api/insales/payment — the checkout (docs/PRODUCT.md flow 5); same handler as /payment.php.
import { handleCheckout } from "@/lib/payments/checkout-http";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handleCheckout(request);
}
