/**
 * Passwords and secrets for the command line, never from argv (other users can read a process's arguments):
 * a hidden prompt on a terminal, else `--password-file FILE` (its first line), else the AIRTIST_PASSWORD
 * environment variable; a secret to import comes from a file or, piped, from standard input.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from './usage.js';

export interface SecretSources {
  passwordFile?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
}

const firstLine = (text: string) => text.split(/\r?\n/)[0] ?? '';

async function fileLine(path: string, what: string): Promise<string> {
  try {
    return firstLine(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Asks on the terminal without echoing what is typed. */
export function promptHidden(question: string, stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stdin, output: stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let asked = false;
    output._writeToOutput = (text: string) => {
      // The question is written once; what is typed is not.
      if (!asked) {
        stderr.write(text);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new UsageError('cancelled'));
    });
  });
}

/** The password, from wherever it was given; `confirm` asks twice on a terminal (a new password). */
export async function readPassword({ passwordFile, env = process.env, stdin = process.stdin, stderr = process.stderr }: SecretSources, confirm = false): Promise<string> {
  if (passwordFile) return fileLine(passwordFile, 'the password file');
  if (env.AIRTIST_PASSWORD !== undefined) return env.AIRTIST_PASSWORD;
  if (!stdin.isTTY) throw new UsageError('no password: give --password-file FILE or AIRTIST_PASSWORD, or run it on a terminal');
  const password = await promptHidden('Wallet password: ', stdin, stderr);
  if (confirm && (await promptHidden('Again, to be sure: ', stdin, stderr)) !== password) throw new UsageError('the two passwords differ');
  return password;
}

/** A mnemonic or private key to import: from `file`, else asked on a terminal, else read from piped standard input. */
export async function readSecret(file: string | undefined, { stdin = process.stdin, stderr = process.stderr }: SecretSources = {}): Promise<string> {
  if (file) return (await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the secret file ${file}: ${error.code ?? error.message}`);
  })).trim();
  if (stdin.isTTY) return (await promptHidden('Mnemonic or private key: ', stdin, stderr)).trim();
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}
