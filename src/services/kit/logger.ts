import { pino, type Logger } from 'pino';

/** JSON logs on stdout; credentials in headers are never written. */
export function createLogger(opts: { name: string; version: string; level: string }): Logger {
  return pino({
    level: opts.level,
    base: { service: opts.name, version: opts.version },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}
