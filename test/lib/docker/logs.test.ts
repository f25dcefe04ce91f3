import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  Demuxer,
  LineSplitter,
  readLogLines,
  sinceAfter,
  splitTimestamp,
} from '../../../src/lib/docker/logs.js';

/** A frame as Docker sends it: type, three zero bytes, big-endian length, payload. */
function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('Docker log stream demultiplexing', () => {
  it('splits frames by stream, across chunk boundaries', () => {
    const bytes = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')]);
    const demuxer = new Demuxer();
    // feed in awkward pieces: mid-header and mid-payload
    const frames = [bytes.subarray(0, 5), bytes.subarray(5, 19), bytes.subarray(19)].flatMap((c) =>
      demuxer.push(c),
    );
    expect(frames.map((f) => [f.stream, f.data.toString()])).toEqual([
      ['stdout', 'out one\n'],
      ['stderr', 'err one\n'],
      ['stdout', 'out two\n'],
    ]);
  });

  it('joins lines split across frames and keeps multi-byte characters whole', () => {
    const splitter = new LineSplitter();
    const euro = Buffer.from('€');
    expect(splitter.push('stdout', Buffer.concat([Buffer.from('price 5'), euro.subarray(0, 1)]))).toEqual([]);
    expect(splitter.push('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\nnext')]))).toEqual([
      'price 5€',
    ]);
    expect(splitter.flush()).toEqual([{ stream: 'stdout', line: 'next' }]);
  });

  it('reads a whole stream into lines with their stream names', async () => {
    const stream = Readable.from([Buffer.concat([frame(1, 'a\nb\n'), frame(2, 'c')])]);
    const lines: [string, string][] = [];
    await readLogLines(stream, (line, from) => lines.push([from, line]));
    expect(lines).toEqual([
      ['stdout', 'a'],
      ['stdout', 'b'],
      ['stderr', 'c'],
    ]);
  });

  it('passes a TTY stream through without frame headers', async () => {
    const lines: string[] = [];
    await readLogLines(Readable.from([Buffer.from('plain\r\ntext\n')]), (line) => lines.push(line), {
      tty: true,
    });
    expect(lines).toEqual(['plain', 'text']);
  });
});

describe('following across a restart: where the next stream starts', () => {
  it("splits Docker's timestamp off a line, and leaves a line without one as it is", () => {
    expect(splitTimestamp('2026-12-06T07:29:59.830210446Z {"msg":"listening"} x')).toEqual({
      at: '2026-12-06T07:29:59.830210446Z',
      text: '{"msg":"listening"} x',
    });
    expect(splitTimestamp('2026-12-06T07:29:59Z ')).toEqual({ at: '2026-12-06T07:29:59Z', text: '' });
    expect(splitTimestamp('plain line')).toEqual({ text: 'plain line' });
  });

  it('asks for what comes one nanosecond after the last line, in seconds.nanoseconds', () => {
    const s = Date.parse('2026-12-06T07:29:59Z') / 1000;
    expect(sinceAfter('2026-12-06T07:29:59.830210446Z')).toBe(`${s}.830210447`);
    expect(sinceAfter('2026-12-06T07:29:59.5Z')).toBe(`${s}.500000001`); // Go trims trailing zeros
    expect(sinceAfter('2026-12-06T07:29:59Z')).toBe(`${s}.000000001`);
    expect(sinceAfter('2026-12-06T07:29:59.999999999Z')).toBe(`${s + 1}.000000000`);
    expect(() => sinceAfter('yesterday')).toThrow(/RFC 3339/);
  });
});
