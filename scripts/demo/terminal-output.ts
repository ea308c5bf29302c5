import type { WriteStream } from 'node:tty';

/**
 * Shows the live summary: redrawn in place on a terminal, one compact line per refresh otherwise (logs and
 * CI keep a readable history instead of escape codes).
 */
export class TerminalOutput {
  readonly #out: NodeJS.WriteStream | WriteStream;
  #drawnLines = 0;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
  }

  get isTerminal(): boolean {
    return this.#out.isTTY === true;
  }

  /** Replaces the last block on a terminal; elsewhere prints `line` alone. */
  refresh(block: readonly string[], line: string): void {
    if (!this.isTerminal) {
      this.#out.write(`${line}\n`);
      return;
    }
    const clear = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F\x1b[0J` : '';
    const columns = this.#out.columns ?? 120;
    const fitted = block.map((text) => (text.length > columns ? text.slice(0, columns - 1) : text));
    this.#out.write(`${clear}${fitted.join('\n')}\n`);
    this.#drawnLines = fitted.length;
  }

  /** Prints lines below the live block, which is then left as it is. */
  print(lines: readonly string[]): void {
    this.#drawnLines = 0;
    this.#out.write(`${lines.join('\n')}\n`);
  }
}
