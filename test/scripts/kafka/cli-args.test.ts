import { describe, expect, it } from 'vitest';
import { parseKafkaArgs } from '../../../scripts/kafka/cli-args.ts';

describe('parseKafkaArgs', () => {
  it('leaves the cluster size to the command when --brokers is absent', () => {
    expect(parseKafkaArgs(['start'])).toEqual({ command: 'start', brokers: undefined, follow: false, lines: 50 });
  });

  it('reads --brokers 3, --brokers=3 and -b 1', () => {
    expect(parseKafkaArgs(['start', '--brokers', '3']).brokers).toBe(3);
    expect(parseKafkaArgs(['--brokers=3', 'status']).brokers).toBe(3);
    expect(parseKafkaArgs(['stop', '-b', '1']).brokers).toBe(1);
  });

  it('reads -f and -n for logs', () => {
    expect(parseKafkaArgs(['logs', '-f', '-n', '200'])).toEqual({
      command: 'logs',
      brokers: undefined,
      follow: true,
      lines: 200,
    });
  });

  it('rejects cluster sizes other than 1 and 3', () => {
    expect(() => parseKafkaArgs(['start', '--brokers', '2'])).toThrow(/--brokers must be 1 or 3, got 2/);
    expect(() => parseKafkaArgs(['start', '--brokers'])).toThrow(/got nothing/);
  });

  it('rejects a missing or unknown command, unknown flags and logs flags on other commands', () => {
    expect(() => parseKafkaArgs([])).toThrow(/No command given/);
    expect(() => parseKafkaArgs(['restart'])).toThrow(/Unknown argument "restart"/);
    expect(() => parseKafkaArgs(['start', '--fast'])).toThrow(/Unknown argument "--fast"/);
    expect(() => parseKafkaArgs(['start', 'stop'])).toThrow(/Unknown argument "stop"/);
    expect(() => parseKafkaArgs(['start', '-f'])).toThrow(/only apply to "logs"/);
    expect(() => parseKafkaArgs(['logs', '-n', '0'])).toThrow(/positive line count/);
  });

  it('raises CONFIG_INVALID errors that carry the usage as the hint', () => {
    expect(() => parseKafkaArgs(['nope'])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', hint: expect.stringContaining('npm run kafka') }),
    );
  });
});
