import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { loadDotEnv } from './src/config/dotenv';
import { buildDataSourceOptions } from './src/database/data-source-options';

loadDotEnv();

/** DataSource for the TypeORM CLI (npm run migration:run / migration:show / migration:revert). */
export default new DataSource(buildDataSourceOptions(loadConfig(process.env).db));
