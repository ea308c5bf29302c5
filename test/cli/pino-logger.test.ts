import { describe, expect, it } from 'vitest';
import { createPinoLogger } from '../../src/cli/pino-logger.ts';

function capture(pretty: boolean, level: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const logger = createPinoLogger({ level, pretty, write: (line) => lines.push(line) });
  return { logger, lines };
}

describe('the pino logger', () => {
  it('writes one JSON line per entry, with the level by name, the message and the fields', () => {
    const { logger, lines } = capture(false, 'info');
    logger.info('Tasks assigned.', { tasks: ['0_0'], generation: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'Tasks assigned.', tasks: ['0_0'], generation: 3 });
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
  });

  it('drops entries below its level', () => {
    const { logger, lines } = capture(false, 'warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e', { error: 'x' });
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['w', 'e']);
  });

  it('writes readable lines when pretty', () => {
    const { logger, lines } = capture(true, 'debug');
    logger.debug('Polled.', { records: 10 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d DEBUG Polled\. records=10\n$/);
  });
});
