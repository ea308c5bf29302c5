import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../../scripts/demo/demo-args.ts';

describe('parseDemoArgs', () => {
  it('defaults to port 8080, 10 orders/s and no time limit', () => {
    expect(parseDemoArgs([], {})).toEqual({ port: 8080, rate: 10, durationS: undefined });
  });

  it('reads the environment, and the command line over it', () => {
    const env = { DEMO_PORT: '9000', DEMO_RATE: '2.5', DEMO_DURATION: '60' };
    expect(parseDemoArgs([], env)).toEqual({ port: 9000, rate: 2.5, durationS: 60 });
    expect(parseDemoArgs(['--port', '9100', '--rate=4', '--duration', '25'], env)).toEqual({
      port: 9100,
      rate: 4,
      durationS: 25,
    });
  });

  it('refuses unknown arguments, missing values and values out of range, naming them', () => {
    expect(() => parseDemoArgs(['--speed', '3'], {})).toThrow(/Unknown argument "--speed"/);
    expect(() => parseDemoArgs(['--rate'], {})).toThrow(/--rate needs a value/);
    expect(() => parseDemoArgs(['--port', '80.5'], {})).toThrow(/--port is "80.5"/);
    expect(() => parseDemoArgs([], { DEMO_RATE: 'fast' })).toThrow(/--rate is "fast"/);
  });
});
