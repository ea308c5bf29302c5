import { describe, expect, it } from 'vitest';
import { javaExecutable, parseJavaMajorVersion } from '../../../scripts/kafka/prerequisites.ts';

describe('parseJavaMajorVersion', () => {
  it('reads the major version of modern JDKs', () => {
    const openjdk17 = `openjdk version "17.0.15" 2025-04-15
OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)
OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)`;
    expect(parseJavaMajorVersion(openjdk17)).toBe(17);
    expect(parseJavaMajorVersion('openjdk version "21.0.2" 2024-01-16 LTS')).toBe(21);
    expect(parseJavaMajorVersion('java version "11.0.22" 2024-01-16 LTS')).toBe(11);
  });

  it('reads versions without a minor part and early-access builds', () => {
    expect(parseJavaMajorVersion('openjdk version "25" 2025-09-16')).toBe(25);
    expect(parseJavaMajorVersion('openjdk version "26-ea" 2026-03-17')).toBe(26);
  });

  it('reads the pre-9 "1.x" scheme as x', () => {
    expect(parseJavaMajorVersion('java version "1.8.0_292"')).toBe(8);
  });

  it('finds the version line after JVM notices', () => {
    expect(parseJavaMajorVersion('Picked up JAVA_TOOL_OPTIONS: -Xss2m\nopenjdk version "17.0.9"')).toBe(17);
  });

  it('returns undefined for output without a version', () => {
    expect(parseJavaMajorVersion('bash: java: command not found')).toBeUndefined();
  });
});

describe('javaExecutable', () => {
  it('prefers $JAVA_HOME/bin/java over the PATH', () => {
    expect(javaExecutable({ JAVA_HOME: '/opt/jdk-21' })).toBe('/opt/jdk-21/bin/java');
    expect(javaExecutable({})).toBe('java');
  });
});
