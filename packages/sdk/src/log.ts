import { redact } from './redact.js';

/**
 * --verbose traces (HTTP calls, commands run). The CLI installs a sink that writes to
 * stderr; the SDK never prints on its own. Every line is redacted before it leaves.
 */
type Sink = (line: string) => void;
let sink: Sink | undefined;

export function setTraceSink(fn: Sink | undefined): void {
  sink = fn;
}

export function traceEnabled(): boolean {
  return sink !== undefined;
}

export function trace(line: string): void {
  if (sink) sink(redact(line));
}
