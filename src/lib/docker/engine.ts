import type Docker from 'dockerode';
import { UserError } from '../errors.js';
import { traced } from './debug.js';
import { defaultSocket, dockerFor } from './engine-http.js';

/**
 * A dockerode-shaped client for DOCKER_HOST (unix socket, tcp, TLS, ssh) or the default socket: its
 * plain JSON calls (inspect, list, create, start, stop, remove) go over node:http and dockerode is
 * loaded only when another call needs it (engine-http.ts).
 */
export function createDocker(): Docker {
  return dockerFor(process.env);
}

/** Where the client connects, for messages. */
export function engineAddress(env: NodeJS.ProcessEnv = process.env, home?: string): string {
  return env.DOCKER_HOST || `unix://${defaultSocket(home)}`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** True when the error says the engine could not be reached at all (not that a call failed). */
export function isEngineUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && UNREACHABLE.has(code);
}

/** The user-facing error for an engine that does not answer (exit 2: a prerequisite the user must fix). */
export function engineUnreachableError(error: unknown, env: NodeJS.ProcessEnv = process.env): UserError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const address = engineAddress(env);
  const why =
    code === 'EACCES'
      ? 'permission denied'
      : code === 'ENOENT'
        ? 'no socket there'
        : (code ?? (error as Error).message);
  return new UserError(`the Docker engine is not reachable at ${address} (${why})`, {
    hint:
      code === 'EACCES'
        ? 'Add your user to the "docker" group (then log in again), or run with sudo.'
        : 'Start it (`sudo systemctl start docker`, or `sh scripts/ensure-docker.sh` on a Debian host), or point DOCKER_HOST at a running engine.',
    code: 'ENGINE_UNREACHABLE',
    cause: error,
    details: { dockerHost: address },
  });
}

export interface EngineInfo {
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
}

/** Ping the engine and return its version; an unreachable engine becomes `engineUnreachableError`. */
export async function pingEngine(docker: Docker, env: NodeJS.ProcessEnv = process.env): Promise<EngineInfo> {
  try {
    const version = await traced('version', engineAddress(env), () => docker.version());
    return { version: version.Version, apiVersion: version.ApiVersion, os: version.Os };
  } catch (error) {
    if (isEngineUnreachable(error)) throw engineUnreachableError(error, env);
    throw error;
  }
}
