export * from './types.js';
export * from './build.js';
export { catalog, SERVICE_NAMES, SERVICE_PORT } from './catalog.js';
export { DEFAULT_IMAGES, isValidImageReference, PACKAGE_IMAGE_REPOSITORY } from './images.js';
