import { DevUp, upFlags, upText } from '../../../lib/dev-commands.js';

const text = upText('web');

export default class WebDevUp extends DevUp {
  static override app = 'web' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
  static override flags = upFlags('web');
}
