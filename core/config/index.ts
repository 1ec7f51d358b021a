export { assessBootUrl, type BootUrlAssessment, type BootUrlProblem } from './boot-url-check.js';
export { type Config, ConfigError, loadConfig, redactConfig, redactUrl } from './load-config.js';
export { configSchema, SECRET_KEYS } from './schema.js';
