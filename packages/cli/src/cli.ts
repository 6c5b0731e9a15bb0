import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { appCommands } from './commands/app.js';
import { bundleCommands } from './commands/bundle.js';
import { channelCommands } from './commands/channel.js';
import { deviceCommands } from './commands/device.js';
import { statsCommands } from './commands/stats.js';
import { type Command, type Context, type OptionSpec, connection, makeClient } from './context.js';
import { EXIT, UsageError, describeFailure } from './errors.js';
import type { Output } from './output.js';

const COMMANDS: Command[] = [
  ...bundleCommands,
  ...channelCommands,
  ...appCommands,
  ...deviceCommands,
  ...statsCommands,
];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: {
    type: 'string',
    placeholder: 'url',
    description: 'the API, such as https://updates.example.com (default $APPS_API_URL)',
  },
  key: { type: 'string', placeholder: 'key', description: 'an API key (default $APPS_API_KEY)' },
  json: { type: 'boolean', description: 'print the result as JSON, for scripts' },
  help: { type: 'boolean', description: 'show help' },
};

const EXIT_HELP = `Exit status: 0 done; 1 the server refused (its code and message are printed) or could not be reached;
2 bad usage, or input refused before sending (a version that is not SemVer, a bundle too large).`;

function usageLine(command: Command): string {
  const options = Object.entries(command.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` <${spec.placeholder ?? 'value'}>` : ''}`;
    return spec.required ? flag : `[${flag}]`;
  });
  return ['apps-api', ...command.words, ...command.positionals, ...options].join(' ');
}

function optionLines(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, spec]) => [
    `--${name}${spec.type === 'string' ? ` <${spec.placeholder ?? 'value'}>` : ''}`,
    spec.description,
  ]);
  const width = Math.max(...rows.map(([flag = '']) => flag.length));
  return rows.map(([flag = '', description]) => `  ${flag.padEnd(width)}  ${description}`).join('\n');
}

function commandHelp(command: Command): string {
  return `usage: ${usageLine(command)}\n\n${command.summary}\n\n${optionLines({ ...command.options, ...GLOBAL_OPTIONS })}\n\n${EXIT_HELP}`;
}

function overview(prefix: string[] = []): string {
  const listed = COMMANDS.filter((command) => prefix.every((word, i) => command.words[i] === word));
  const lines = listed.map((command) => `  ${usageLine(command)}\n      ${command.summary}`);
  return `Ship live updates from CI.\n\nCommands:\n${lines.join('\n')}\n\nEvery command also takes:\n${optionLines(GLOBAL_OPTIONS)}\n\n${EXIT_HELP}`;
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** The command named by the leading words of `argv`, and the arguments after them. */
function findCommand(argv: string[]): { command?: Command; rest: string[]; words: string[] } {
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  const words = firstOption === -1 ? argv : argv.slice(0, firstOption);
  const command = COMMANDS.find((candidate) => candidate.words.every((word, i) => words[i] === word));
  return { command, rest: command ? argv.slice(command.words.length) : argv, words };
}

function parse(command: Command, args: string[]): Pick<Context, 'options' | 'positionals'> {
  const specs = { ...command.options, ...GLOBAL_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error));
  }
  const options = parsed.values as Context['options'];
  if (options.help) return { options, positionals: parsed.positionals };
  if (parsed.positionals.length !== command.positionals.length) {
    const expected = command.positionals.length === 0 ? 'no arguments' : command.positionals.join(' ');
    throw new UsageError(
      `${command.words.join(' ')} takes ${expected}, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')}`,
    );
  }
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.required && options[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  return { options, positionals: parsed.positionals };
}

/** Runs one command line; resolves with the exit status. Nothing here exits the process. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  const json = argv.includes('--json');
  const { command, rest, words } = findCommand(argv);
  if (!command) {
    if (argv.length === 1 && argv[0] === '--version') {
      out.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const asked = argv.includes('--help') || argv.includes('-h');
    const prefix = COMMANDS.some((c) => c.words[0] === words[0]) ? words.slice(0, 1) : [];
    if (!asked) out.stderr.write(words.length > 0 ? `error: unknown command: ${words.join(' ')}\n\n` : '');
    (asked ? out.stdout : out.stderr).write(`${overview(prefix)}\n`);
    return asked ? EXIT.ok : EXIT.usage;
  }
  let baseUrl: string | undefined;
  try {
    const { options, positionals } = parse(command, rest);
    if (options.help) {
      out.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    const server = connection(options, env);
    baseUrl = server.baseUrl;
    const context: Context = {
      out: { ...out, json },
      options,
      positionals,
      client: (onUpload) => makeClient(server.baseUrl, server.apiKey, onUpload),
    };
    const result = await command.run(context);
    out.stdout.write(json ? `${JSON.stringify(result.value)}\n` : `${result.text}\n`);
    return EXIT.ok;
  } catch (error) {
    const failure = describeFailure(error, baseUrl);
    out.stderr.write(json ? `${JSON.stringify(failure.json)}\n` : `${failure.text}\n`);
    if (error instanceof UsageError && !json) out.stderr.write(`usage: ${usageLine(command)}\n`);
    return failure.exitCode;
  }
}
