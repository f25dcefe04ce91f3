export * from './lock.js';
export { lockFlags } from './flags.js';
