import { truncate } from './fit.js';
import { outputMode } from './mode.js';
import { terminalText } from './safe-text.js';
import { paint } from './style.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `8 s`, `2 min 05 s`: the time left until a bound. */
export function timeLeft(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * A spinner on stderr naming what is awaited and the time left to its bound. Drawn only when
 * stderr is a terminal and the run is not --quiet (also under --json: stdout keeps the one
 * document); elsewhere it prints nothing, so pipes and logs stay as they were.
 */
export class Progress {
  readonly enabled: boolean;
  private what = '';
  private deadline?: number;
  private timer?: NodeJS.Timeout;
  private frame = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, enabled?: boolean) {
    this.enabled = enabled ?? (Boolean(stream.isTTY) && process.env.TERM !== 'dumb' && !outputMode().quiet);
  }

  /** Show (or change) what is awaited; `deadline` (epoch ms) is the bound, shown as the time left. */
  wait(what: string, deadline?: number): void {
    this.what = what;
    this.deadline = deadline;
    if (!this.enabled) return;
    if (!this.timer) this.timer = setInterval(() => this.draw(), 100).unref();
    this.draw();
  }

  /** A line printed above the spinner (a row that just finished); `stream` defaults to stdout. */
  print(line: string, stream: NodeJS.WriteStream = process.stdout): void {
    this.clear();
    stream.write(`${line}\n`);
    if (this.timer) this.draw();
  }

  /** Remove the spinner line; the helper can wait() again later. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }

  private draw(): void {
    const left = this.deadline === undefined ? '' : ` (${timeLeft(this.deadline - Date.now())} left)`;
    const text = terminalText(`${this.what}${left}`, { stream: this.stream });
    const width = (this.stream.columns || 80) - 3;
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\u001b[2K${paint(FRAMES[this.frame], 'cyan', this.stream)} ${truncate(text, width)}`);
    this.drawn = true;
  }
}
