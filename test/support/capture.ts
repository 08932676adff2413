/** A writable the CLI's `main(argv, out, err)` can print to, and what it printed. */
export function capture() {
  let text = '';
  return {
    write: (s: string) => (text += s),
    get text() {
      return text;
    },
  };
}
