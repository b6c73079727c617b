/**
 * The desktop app's log: main's lines and the worker's output in one file in the user's log folder
 * (electron-log), rotated at 5 MB to one older file, so a week of mining never fills a disk and a bug report
 * has the last hours. electron-log is passed in; tests use a fake.
 */
import { Writable } from 'node:stream';

/** The parts of electron-log's main logger used here. */
export interface ElectronLogLike {
  initialize(): void;
  info(...text: unknown[]): void;
  transports: { file: { maxSize: number; getFile(): { path: string } } };
}

export interface MainLog {
  /** One line of main's own. */
  line(text: string): void;
  /** Where the worker's stdout or stderr goes: split into lines, each logged (and echoed to the console). */
  stream(): Writable;
  /** The log file and its rotated predecessor, for a diagnostics export. */
  files(): string[];
}

/** One file this size at most, and the one before it: electron-log renames a full file to `*.old.log`. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;

export function createMainLog(electronLog: ElectronLogLike): MainLog {
  electronLog.initialize();
  electronLog.transports.file.maxSize = LOG_MAX_BYTES;
  return {
    line: (text) => electronLog.info(text),
    stream() {
      let pending = '';
      return new Writable({
        write(chunk: Buffer, _encoding, done) {
          const lines = (pending + chunk.toString('utf8')).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line) electronLog.info(line);
          done();
        },
        final(done) {
          if (pending) electronLog.info(pending);
          done();
        },
      });
    },
    files() {
      const path = electronLog.transports.file.getFile().path;
      return [path.replace(/\.log$/, '.old.log'), path];
    },
  };
}
