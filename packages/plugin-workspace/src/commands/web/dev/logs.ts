import { DevLogs, logsFlags, logsText } from '../../../lib/dev-commands.js';

const text = logsText('web');

export default class WebDevLogs extends DevLogs {
  static override app = 'web' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
  static override flags = logsFlags;
}
