// «Отметить решённой» for one problem: a plain form posting the resolve server action (works without JS).
export function ResolveProblemButton({ problemId, action, className }: { problemId: string; action: (formData: FormData) => void | Promise<void>; className?: string }) {
  return (
    <form action={action}>
      <input type="hidden" name="problemId" value={problemId} />
      <button type="submit" className={className}>
        Отметить решённой
      </button>
    </form>
  );
}
