export { type Config, ConfigError, loadConfig, redactConfig, redactUrl } from './load-config.js';
export { SECRET_KEYS, configSchema } from './schema.js';
