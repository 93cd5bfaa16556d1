import { DevStatus, statusText } from '../../../lib/dev-commands.js';

const text = statusText('web');

export default class WebDevStatus extends DevStatus {
  static override app = 'web' as const;
  static override summary = text.summary;
  static override description = text.description;
  static override examples = text.examples;
}
