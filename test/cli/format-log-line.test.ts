import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/cli/format-log-line.ts';

describe('the one-line log format', () => {
  const time = '2026-03-01T12:00:01.250Z';
  const clock = new Date(time).toTimeString().slice(0, 8);

  it('shows local time, the level padded, the message, then the fields as key=value', () => {
    expect(
      formatLogLine({
        level: 'info',
        time,
        pid: 12,
        hostname: 'box',
        msg: 'Service started.',
        url: 'http://127.0.0.1:8080',
        partitions: 4,
      }),
    ).toBe(`${clock} INFO  Service started. url=http://127.0.0.1:8080 partitions=4`);
  });

  it('quotes strings with spaces and writes objects as JSON', () => {
    expect(
      formatLogLine({ level: 'error', time, msg: 'Failed.', error: 'broker down', tasks: ['0_0', '0_1'], ok: false }),
    ).toBe(`${clock} ERROR Failed. error="broker down" tasks=["0_0","0_1"] ok=false`);
  });

  it('keeps a line for entries without a valid time or message', () => {
    expect(formatLogLine({ level: 'warn', time: 'never' })).toBe('--:--:-- WARN  ');
  });
});
