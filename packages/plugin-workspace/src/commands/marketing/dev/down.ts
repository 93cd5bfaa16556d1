import { DevDown, downFlags, downText } from '../../../lib/dev-commands.js';

const text = downText('marketing');

export default class MarketingDevDown extends DevDown {
  static override app = 'marketing' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
  static override flags = downFlags;
}
