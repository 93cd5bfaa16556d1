import { DevStatus, statusText } from '../../../lib/dev-commands.js';

const text = statusText('marketing');

export default class MarketingDevStatus extends DevStatus {
  static override app = 'marketing' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
}
