import { readFile } from 'node:fs/promises';

/** The last `count` lines of a text file; none when it does not exist (yet). */
export async function tailFile(path: string, count: number): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count);
}
