import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KStreamsError } from '../../src/errors.ts';
import { kafkaVersion } from './cluster-layout.ts';

export const minimumJavaVersion = 17;

const alternatives =
  "or set KAFKA_BROKERS to an existing cluster, or run `docker compose up -d` with the project's docker-compose.yml";

/**
 * The major version in `java -version` output: `openjdk version "17.0.15"` -> 17,
 * `java version "1.8.0_292"` -> 8 (the pre-9 scheme), `openjdk version "21-ea"` -> 21.
 */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, so a JDK chosen by the user wins over the PATH. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to completion, collecting stdout and stderr; rejects only when it cannot be started. */
export function runCommand(command: string, args: readonly string[], cwd?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

function isMissingExecutable(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Resolves to the java executable to use, or throws naming the fix. */
export async function checkJava(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const java = javaExecutable(env);
  let result: CommandResult;
  try {
    result = await runCommand(java, ['-version']);
  } catch (error) {
    if (!isMissingExecutable(error)) throw error;
    throw new KStreamsError('CONFIG_INVALID', `Java was not found (${java}); the local Kafka broker runs on it.`, {
      hint: `install a JDK ${minimumJavaVersion}+ (or set JAVA_HOME), ${alternatives}.`,
      cause: error,
    });
  }
  const version = parseJavaMajorVersion(result.output);
  if (version === undefined || version < minimumJavaVersion) {
    const found = version === undefined ? `an unrecognised version (${result.output.trim()})` : `Java ${version}`;
    throw new KStreamsError(
      'CONFIG_INVALID',
      `Kafka ${kafkaVersion} needs Java ${minimumJavaVersion}+, found ${found}.`,
      {
        hint: `install a JDK ${minimumJavaVersion}+ (or point JAVA_HOME at one), ${alternatives}.`,
      },
    );
  }
  return java;
}

/** Maven is only needed for the first run, when the broker jars are not cached yet. */
export async function checkMaven(): Promise<string> {
  try {
    const result = await runCommand('mvn', ['-v']);
    if (result.code !== 0) throw new Error(result.output);
    return 'mvn';
  } catch (error) {
    throw new KStreamsError('CONFIG_INVALID', 'Maven (mvn) was not found; it fetches the Kafka broker jars once.', {
      hint: `install Maven, ${alternatives}.`,
      cause: error,
    });
  }
}
