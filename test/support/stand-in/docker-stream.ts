type Message = { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } };

/**
 * Reads a build/import response (newline-delimited JSON) to its end. The engine reports a failed
 * RUN step inside the stream with HTTP 200, so errors are taken from the messages; the thrown error
 * carries the last lines of output.
 */
export function readDockerJsonStream(
  stream: NodeJS.ReadableStream,
  onLine?: (line: string) => void,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let buffer = '';
    let failure: string | undefined;
    const handle = (raw: string) => {
      if (!raw.trim()) return;
      let msg: Message;
      try {
        msg = JSON.parse(raw) as Message;
      } catch {
        msg = { stream: raw };
      }
      if (msg.error || msg.errorDetail?.message) failure ??= msg.errorDetail?.message ?? msg.error;
      const text = msg.stream ?? msg.status;
      if (text) {
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          lines.push(line);
          if (lines.length > 400) lines.shift();
          onLine?.(line);
        }
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      parts.forEach(handle);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      handle(buffer);
      if (failure) {
        const tail = lines.slice(-30).join('\n');
        reject(new Error(`${failure}\n--- last output ---\n${tail}`));
      } else resolve(lines);
    });
  });
}
