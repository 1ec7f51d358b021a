export { type Config, ConfigError, loadConfig, redactConfig, redactUrl } from './load-config.js';
export { configSchema, SECRET_KEYS } from './schema.js';
