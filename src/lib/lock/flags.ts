import { Flags } from '../oclif.js';

/** Flags of every command that takes the project's lock (`up`, `down`, `rollback`, `releases prune`). */
export const lockFlags = {
  'lock-wait': Flags.integer({
    description:
      'seconds to wait for another aisuite run holding the lock (0: fail at once with exit code 5)',
    default: 0,
    min: 0,
    env: 'AISUITE_LOCK_WAIT',
    helpGroup: 'LOCK',
  }),
  'force-unlock': Flags.boolean({
    description: 'break a stale lock (its process is gone) before starting',
    default: false,
    helpGroup: 'LOCK',
  }),
};
