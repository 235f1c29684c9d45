export const metadata = { title: "Вход через InSales — IntellectMoney" };

export default function LoginRequiredPage() {
  return (
    <main style={{ maxWidth: 640, margin: "64px auto", padding: 24 }}>
      <h1>Войдите через InSales</h1>
      <p>
        Сессия не найдена или истекла. Откройте приложение из бэк-офиса магазина: «Приложения →
        Установленные приложения → IntellectMoney → Войти».
      </p>
    </main>
  );
}
