"use client";
// Shown when rendering a page fails in a way no nearer boundary catches (a server error while rendering,
// or an exception in the browser). Next.js's built-in page says it in English; merchants read Russian
// (docs/PRODUCT.md: Russian UI). Costs 0.5 kB gzip of first-load JS per
// page: Next.js keeps its built-in error page in the bundle for other uses.
// The digest is the id Next.js logs with the server error: the merchant can quote it to support.

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="ru">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: 0, padding: "64px 24px", color: "#1f2328" }}>
        <main style={{ maxWidth: 420, margin: "0 auto" }}>
          <h1 style={{ fontSize: 22, fontWeight: 600 }}>Страница не загрузилась</h1>
          <p>{error.digest ? "На сервере произошла ошибка. Обновите страницу, чтобы попробовать ещё раз." : "Обновите страницу или вернитесь назад."}</p>
          {/* A plain GET of the same address: works even when the page's scripts are what failed. */}
          <form>
            <button type="submit">Обновить страницу</button>
          </form>
          {error.digest ? <p style={{ color: "#59636e", fontSize: 13 }}>Код ошибки для поддержки: {error.digest}</p> : null}
        </main>
      </body>
    </html>
  );
}
