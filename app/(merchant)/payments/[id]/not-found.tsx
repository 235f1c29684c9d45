// A payment that is not this shop's (or does not exist): the same answer either way.
import styles from "../journal.module.css";

export default function PaymentNotFound() {
  return (
    <main className={styles.main}>
      <h1 className={styles.title}>Платёж не найден</h1>
      <p>
        Такого платежа нет в журнале вашего магазина. <a href="/payments">Вернуться к платежам</a>
      </p>
    </main>
  );
}
