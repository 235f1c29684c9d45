
export default function HomePage() {
  return (
    <main style={{ maxWidth: 640, margin: "64px auto", padding: 24 }}>
      <h1>IntellectMoney для InSales</h1>
      <p>
        Приложение подключает приём оплаты через IntellectMoney к магазину на InSales. Откройте его из
        бэк-офиса магазина: «Приложения → Установленные приложения → IntellectMoney → Войти».
      </p>
      <p><a href="/settings">Перейти к настройкам</a></p>
    </main>
  );
}
