import type { Hook } from '@oclif/core';
import { editDistance } from '@frameworks/sdk';

/**
 * Unknown command: say so, suggest the closest command or topic, exit 2 (usage). Unlike
 * @oclif/plugin-not-found it never prompts (no timed prompt on this path) and shows the
 * suggestion off a TTY too, and it honours --json with the standard error document. Suggestions
 * are plain commands (a topic's is its help), the guess itself is said in the message.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const sep = this.config.topicSeparator;
  const commands = new Set(this.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]));
  const topics = new Set(this.config.topics.filter((t) => !t.hidden).map((t) => t.name));
  const words = (opts.argv ?? []).filter((a) => !a.startsWith('-'));
  let best: { id: string; score: number } | undefined;
  for (let k = 0; k <= Math.min(words.length, 3); k++) {
    const typed = [opts.id, ...words.slice(0, k)].join(':');
    for (const id of [...commands, ...topics]) {
      const score = editDistance(typed, id) / Math.max(id.length, 1);
      // Ties go to the longer match (context lst → context list, not the context topic).
      if (!best || score < best.score) best = { id, score };
    }
  }
  const typed = [opts.id.replaceAll(':', sep), ...words].join(' ');
  const bin = this.config.bin;
  const guess = best && best.score <= 0.4 ? best.id : undefined;
  const shown = guess?.replaceAll(':', sep);
  const suggestion = guess ? (commands.has(guess) ? `${bin} ${shown}` : `${bin} ${shown} --help`) : undefined;
  const message = `"${typed}" is not a ${bin} command.${shown ? ` Did you mean "${shown}"?` : ''}`;
  const suggestions = [...(suggestion ? [suggestion] : []), `${bin} --help`];
  if ((opts.argv ?? []).includes('--json') || process.env.FRAMEWORKS_CONTENT_TYPE?.toLowerCase() === 'json') {
    process.stdout.write(JSON.stringify({ status: 2, name: 'UsageError', code: 'COMMAND_NOT_FOUND', message, suggestions, warnings: [] }, null, 2) + '\n');
  } else {
    process.stderr.write(`✗ ${message}\n  Next: ${suggestions.join('\n        ')}\n`);
  }
  process.exitCode = 2;
};
export default hook;
