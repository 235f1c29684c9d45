// A payment that is not this shop's (or does not exist): the same answer either way.
import Link from "next/link";
import styles from "../journal.module.css";

export default function PaymentNotFound() {
  return (
    <main className={styles.main}>
      <h1 className={styles.title}>Платёж не найден</h1>
      <p>
        Такого платежа нет в журнале вашего магазина. <Link href="/payments">Вернуться к платежам</Link>
      </p>
    </main>
  );
}
