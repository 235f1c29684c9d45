// POST /api/insales/payment — the checkout (docs/PRODUCT.md flow 5); same handler as /payment.php.
import { handleCheckout } from "@/app/api/insales/payment/checkout-http";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handleCheckout(request);
}
