import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/** A batch is written early once it holds this much. */
const HIGH_WATER = 64 * 1024;

/**
 * Where every log line goes: lines written in one turn of the event loop reach stdout as one
 * write. stdout to a pipe or a file is a blocking call per write, which per request cost more
 * than the request itself. Lines still held when the process exits are written synchronously.
 */
class LineOutput extends Writable {
  private held: string[] = [];
  private size = 0;
  private scheduled = false;
  private destination: NodeJS.WritableStream | null = null;

  constructor() {
    super({ decodeStrings: false });
    process.on('exit', () => this.flushSync());
  }

  /**
   * Adds one whole line (its newline included). An error line goes out at once with what is
   * held before it: a crash the 'exit' handler never sees (out of memory, SIGKILL) must not
   * take the lines that explain it.
   */
  line(text: string, urgent = false): void {
    this.held.push(text);
    if (urgent) return this.flush();
    this.size += text.length;
    if (this.size >= HIGH_WATER) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString();
    // winston's JSON line; inside a value the quotes would be escaped.
    this.line(text, text.includes('"level":"error"'));
    done();
  }

  /** Sends lines to `stream` instead of stdout until the returned function is called (tests). */
  redirect(stream: NodeJS.WritableStream): () => void {
    this.flush();
    this.destination = stream;
    return () => {
      this.flush();
      this.destination = null;
    };
  }

  private take(): string {
    this.scheduled = false;
    const text = this.held.join('');
    this.held = [];
    this.size = 0;
    return text;
  }

  private flush(): void {
    if (!this.held.length) return void (this.scheduled = false);
    (this.destination ?? process.stdout).write(this.take());
  }

  private flushSync(): void {
    if (!this.held.length) return;
    const text = this.take();
    if (this.destination) return void this.destination.write(text);
    try {
      // A non-blocking stdout may take part of it: write the rest until all is out.
      for (let bytes = Buffer.from(text); bytes.length;) bytes = bytes.subarray(writeSync(1, bytes));
    } catch {
      // stdout is gone or full as the process ends: nothing left to tell.
    }
  }
}

export const lineOutput = new LineOutput();
