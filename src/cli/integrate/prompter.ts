import { createInterface } from "node:readline/promises";

/** Line-based prompts that also work when every answer arrives at once on a pipe (tests). */
export class Prompter {
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string | undefined) => void)[] = [];
  readonly #rl;
  #closed = false;

  constructor(
    input: NodeJS.ReadableStream,
    readonly output: NodeJS.WritableStream,
  ) {
    this.#rl = createInterface({ input, terminal: false });
    this.#rl.on("line", (l) => {
      const w = this.#waiting.shift();
      if (w) w(l);
      else this.#lines.push(l);
    });
    this.#rl.on("close", () => {
      this.#closed = true;
      for (const w of this.#waiting.splice(0)) w(undefined);
    });
  }

  /** Asks one question; an empty answer takes the default. */
  async ask(question: string, def?: string): Promise<string> {
    this.output.write(`${question}${def ? ` [${def}]` : ""}: `);
    const line = await this.#next();
    if (line === undefined) throw new Error(`No answer to "${question}" (input closed).`);
    const answer = line.trim();
    this.output.write(`${answer || def || ""}\n`);
    return answer || def || "";
  }

  /** One of `options`, by number or by name. */
  async choose(question: string, options: readonly string[], def?: string): Promise<string> {
    options.forEach((o, i) => {
      this.output.write(`  ${i + 1}) ${o}\n`);
    });
    for (;;) {
      const a = await this.ask(question, def);
      const byNumber = options[Number(a) - 1];
      const pick = byNumber ?? options.find((o) => o.toLowerCase() === a.toLowerCase());
      if (pick) return pick;
      this.output.write(`  choose one of: ${options.join(", ")}\n`);
    }
  }

  /** Yes or no. */
  async confirm(question: string, def = true): Promise<boolean> {
    const a = await this.ask(`${question} (y/n)`, def ? "y" : "n");
    return /^y(es)?$/i.test(a);
  }

  async #next(): Promise<string | undefined> {
    const l = this.#lines.shift();
    if (l !== undefined || this.#closed) return l;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#rl.close();
  }
}
