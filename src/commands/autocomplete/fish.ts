import { Flags } from '@oclif/core';
import { join } from 'node:path';
import { FrameworksCommand } from '@frameworks/cli-kit';
import { ensureDir, tildify, writeFileAtomic } from '@frameworks/sdk';
import { fishCompletion } from '../../lib/fish.js';

export default class AutocompleteFish extends FrameworksCommand<typeof AutocompleteFish> {
  static override summary = 'Set up fish completion (other shells: frameworks autocomplete <shell>).';
  static override description =
    'Set up fish completion (bash, zsh and powershell: frameworks autocomplete <shell>). Generates the completion script from the command manifest, so it covers installed plugins too, writes it to the cache folder and prints how to enable it. It is regenerated after `frameworks plugins install`.';
  static override examples = [
    { description: 'Generate fish completion and print how to enable it', command: '<%= config.bin %> autocomplete fish' },
    {
      description: 'Install fish completion for your user',
      command: '<%= config.bin %> autocomplete fish --print > ~/.config/fish/completions/frameworks.fish',
    },
  ];
  static override flags = {
    print: Flags.boolean({ description: 'Print the script to stdout instead of writing it to the cache.' }),
    'refresh-cache': Flags.boolean({ char: 'r', description: 'Only regenerate the cached script.' }),
  };

  async run() {
    const script = fishCompletion(this.config);
    if (this.flags.print) {
      if (this.jsonEnabled()) return { shell: 'fish', script };
      process.stdout.write(script);
      return { shell: 'fish', script };
    }
    const path = fishCachePath(this.config.cacheDir, this.config.bin);
    await ensureDir(join(this.config.cacheDir, 'autocomplete', 'functions', 'fish'));
    await writeFileAtomic(path, script, 0o644);
    const target = `~/.config/fish/completions/${this.config.bin}.fish`;
    if (!this.flags['refresh-cache']) {
      this.success(`Wrote ${tildify(path)}.`);
      this.out('\nEnable it once (the link follows future refreshes):\n');
      this.out(`  mkdir -p ~/.config/fish/completions && ln -sf ${path} ${target}`);
      this.out('\nThen open a new fish shell and type: frameworks <TAB>');
    }
    return { shell: 'fish', path, link: target };
  }
}

export function fishCachePath(cacheDir: string, bin: string): string {
  return join(cacheDir, 'autocomplete', 'functions', 'fish', `${bin}.fish`);
}
