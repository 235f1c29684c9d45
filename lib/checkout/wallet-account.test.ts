// The wallet account («Номер личного кабинета или e-mail для входа», docs/protocols/intellectmoney.md §2):
// IntellectMoney's own modules send the recipient's 10-digit account number in UserField_0. A shop set up
// with the number gets its wallet invoice from the IntellectMoney stand-in, with exactly what the merchant
// entered, and the payment completes.
import { describe, expect, it } from "vitest";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { startCheckout } from "./checkout";
import { addInstalledShop, configureWallet, connectGatewayDirectly } from "../../tests/support/checkout-test-support";
import { paymentRow, useResultWorld } from "../../tests/support/result-test-support";
import { settingsSchema, emptySettingsForm } from "../shops/settings-schema";

useTestDatabase();

const world = useResultWorld();

async function walletShop(account: string, formId: string) {
  const shop = await addInstalledShop(world.insales.insales);
  await configureWallet(shop.id, { formId, login: account, secretKey: `wallet-key-${formId}` });
  world.im.registerWalletForm(formId, `wallet-key-${formId}`);
  await connectGatewayDirectly(shop);
  return shop;
}

async function checkoutAndPostInvoice(host: string) {
  const signed = world.insales.api.signedCheckout(host, { amount: "700.00" });
  const checkout = await startCheckout({ form: new URLSearchParams(signed.fields), shopHint: null });
  if (!checkout.ok) throw new Error(`checkout refused: ${checkout.reason}`);
  const answer = await fetch(checkout.action, { method: "POST", body: new URLSearchParams(checkout.fields), redirect: "manual" });
  return { checkout, answer };
}

describe("the wallet account in the invoice form", () => {
  it("the settings take a 10-digit account number, and the invoice carries it as entered in UserField_0", async () => {
    const form = { ...emptySettingsForm(""), legalForm: "INDIVIDUAL" as const, walletFormId: "5151", walletLogin: " 1234567890 " };
    const saved = settingsSchema.safeParse(form);
    expect(saved.success && saved.data.legalForm === "INDIVIDUAL" && saved.data.walletLogin).toBe("1234567890");

    const shop = await walletShop("1234567890", "5151");
    const { checkout, answer } = await checkoutAndPostInvoice(shop.host);
    expect(checkout.fields).toEqual(expect.arrayContaining([["UserField_0", "1234567890"], ["UserField_9", "5151"]]));
    expect(answer.status).toBe(303); // the stand-in created the invoice
    const payment = await db().payment.findUniqueOrThrow({ where: { id: checkout.paymentId } });
    const invoice = world.im.findInvoice(payment.imOrderId)!;
    expect(invoice.form.UserField_0).toBe("1234567890");

    // Paid: the notification echoes the account number and is verified with the form's key.
    expect(await world.im.notify(invoice.paymentId, "5")).toMatchObject({ httpStatus: 200, body: "OK" });
    expect((await paymentRow(payment.id)).status).toBe("PAID");
  });

  it("the login e-mail still works", async () => {
    const shop = await walletShop("wallet@example.com", "5152");
    const { checkout, answer } = await checkoutAndPostInvoice(shop.host);
    expect(checkout.fields).toEqual(expect.arrayContaining([["UserField_0", "wallet@example.com"]]));
    expect(answer.status).toBe(303);
  });
});
