import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalStateBusyError, localStatePaths, lockStateDir } from '../../../shared/replay/local-state';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-lock-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('lockStateDir', () => {
  it('takes a free directory and releases it', () => {
    // Act
    const release = lockStateDir(dir);
    const held = readFileSync(localStatePaths(dir).lock, 'utf8');
    release();
    // Assert
    expect(held.trim()).toBe(String(process.pid));
    expect(existsSync(localStatePaths(dir).lock)).toBe(false);
  });

  it('refuses a directory another running process holds', () => {
    // Arrange: the parent process (jest's) is running.
    writeFileSync(localStatePaths(dir).lock, `${process.ppid}\n`);
    // Act / Assert
    expect(() => lockStateDir(dir)).toThrow(LocalStateBusyError);
    expect(() => lockStateDir(dir)).toThrow(`is in use by another vigil process (pid ${process.ppid})`);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    // Arrange
    writeFileSync(localStatePaths(dir).lock, '2147483646\n');
    // Act
    const release = lockStateDir(dir);
    // Assert
    expect(readFileSync(localStatePaths(dir).lock, 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
