"use client";
// A stored secret's field on «Настройки» («Секретный ключ», the wallet form's key, the API token, the sign
// key): never shown again, only masked (the last 4 characters) as the placeholder; an empty field keeps the
// stored one; with one stored, an «Удалить …» checkbox (where the secret may be removed) drops it on «Сохранить».
import type { UseFormRegister } from "react-hook-form";
import { CheckboxField } from "@/components/checkbox-field";
import { FormField, describedBy } from "@/components/form-field";
import type { SettingsFormValues } from "@/lib/shops/settings-fields";

type SecretName = "secretKey" | "walletSecretKey" | "apiToken" | "signSecret";

export type SecretFieldProps = {
  id: SecretName;
  label: string;
  /** The stored secret, masked; empty when none is stored. */
  mask: string;
  error?: string;
  /** What the hint says after «Сохранён: …» when one is stored, and when none is. */
  hint: { stored: string; empty: string };
  register: UseFormRegister<SettingsFormValues>;
  /** Re-checks the fields that depend on this one. */
  onChange?: () => void;
  clear?: { name: "walletSecretKeyClear" | "apiTokenClear" | "signSecretClear"; label: string; note: string };
};

export function SecretField({ id, label, mask, error, hint, register, onChange, clear }: SecretFieldProps) {
  const options = onChange ? { onChange } : undefined;
  return (
    <>
      <FormField id={id} label={label} error={error} hint={mask ? `Сохранён: ${mask}. ${hint.stored}` : hint.empty}>
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          placeholder={mask || undefined}
          {...register(id, options)}
          {...describedBy(id, { error, hint: true })}
        />
      </FormField>
      {mask && clear ? <CheckboxField id={clear.name} label={clear.label} note={clear.note} {...register(clear.name, options)} /> : null}
    </>
  );
}
