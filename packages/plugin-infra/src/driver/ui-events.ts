/** Terraform's machine-readable UI (`-json`): one object a line. Only the keys the driver reads are typed. */
export interface UiResource {
  addr: string;
  resource_type?: string;
  resource_name?: string;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number; column: number }; end?: { line: number; column: number } };
  snippet?: { context?: string | null; code: string; start_line: number; highlight_start_offset?: number; highlight_end_offset?: number };
}

export interface UiEvent {
  '@level'?: string;
  '@message'?: string;
  type: string;
  change?: { resource: UiResource; action: string; reason?: string };
  hook?: { resource: UiResource; action: string; elapsed_seconds?: number; id_key?: string; id_value?: string };
  changes?: { add: number; change: number; remove: number; import?: number; operation: string };
  diagnostic?: Diagnostic;
  outputs?: Record<string, { sensitive: boolean; type?: unknown; value?: unknown }>;
  terraform?: string;
  tofu?: string;
}

/** Split a stream of chunks into lines; each complete line that is a JSON object goes to `onEvent`, others to `onText`. */
export function lineSplitter(onEvent: (e: UiEvent) => void, onText: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  const line = (l: string) => {
    const t = l.trim();
    if (!t) return;
    if (t.startsWith('{')) {
      try {
        const e = JSON.parse(t) as UiEvent;
        if (e && typeof e.type === 'string') return onEvent(e);
      } catch {
        // not JSON after all: shown as text
      }
    }
    onText(t);
  };
  return {
    push(chunk) {
      rest += chunk;
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(line);
    },
    end() {
      line(rest);
      rest = '';
    },
  };
}

/** Per-resource progress of an apply/destroy: what started, what completed, what failed. */
export class ApplyTracker {
  readonly started = new Map<string, string>();
  readonly completed = new Set<string>();
  readonly errored = new Set<string>();

  see(e: UiEvent): void {
    const addr = e.hook?.resource.addr;
    if (!addr) return;
    if (e.type === 'apply_start') this.started.set(addr, e.hook!.action);
    else if (e.type === 'apply_complete') this.completed.add(addr);
    else if (e.type === 'apply_errored') this.errored.add(addr);
  }

  /** Started and never completed: the provider may have created them (an interrupt, a crash). */
  maybeChanged(): Array<{ address: string; action: string }> {
    return [...this.started].filter(([a]) => !this.completed.has(a)).map(([address, action]) => ({ address, action }));
  }

  done(): Array<{ address: string; action: string }> {
    return [...this.started].filter(([a]) => this.completed.has(a)).map(([address, action]) => ({ address, action }));
  }
}

/** One line for the progress display; unknown types show their @message (newer Terraform versions add types). */
export function progressLine(e: UiEvent): string | undefined {
  switch (e.type) {
    case 'version':
    case 'outputs':
    case 'change_summary':
    case 'diagnostic':
      return undefined;
    case 'apply_start':
    case 'apply_progress':
    case 'apply_complete':
    case 'apply_errored':
    case 'planned_change':
    case 'resource_drift':
    case 'refresh_start':
    case 'refresh_complete':
    default:
      return e['@message'];
  }
}
