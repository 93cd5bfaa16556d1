import { DevLogs, logsFlags, logsText } from '../../../lib/dev-commands.js';

const text = logsText('marketing');

export default class MarketingDevLogs extends DevLogs {
  static override app = 'marketing' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
  static override flags = logsFlags;
}
