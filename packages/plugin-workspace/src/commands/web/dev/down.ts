import { DevDown, downFlags, downText } from '../../../lib/dev-commands.js';

const text = downText('web');

export default class WebDevDown extends DevDown {
  static override app = 'web' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
  static override flags = downFlags;
}
