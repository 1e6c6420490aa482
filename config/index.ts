import dotenv from 'dotenv';
import { ConfigError, parseConfig, type Config } from './config.js';

// Real environment wins over .env; quiet keeps dotenv's banner out of the JSON log.
dotenv.config({ quiet: true });

function load(): Config {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export const config: Config = load();
export type { Config };
