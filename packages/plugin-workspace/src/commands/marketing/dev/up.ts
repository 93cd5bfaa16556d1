import { DevUp, upFlags, upText } from '../../../lib/dev-commands.js';

const text = upText('marketing');

export default class MarketingDevUp extends DevUp {
  static override app = 'marketing' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
  static override flags = upFlags('marketing');
}
