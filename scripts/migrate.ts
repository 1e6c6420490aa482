/**
 * Applies the pending migrations (scripts/migrations/index.ts) to the configured database:
 *   npm run migrate                    (development, via tsx)
 *   node dist/scripts/migrate.js       (production build: the deploy runs it before reloading)
 *   ... --status                       lists applied and pending, changes nothing
 */
import { migrationStatus, runMigrations } from './migrate-runner.js';
import { migrations } from './migrations/index.js';
import { runWithDatabase } from './with-database.js';

await runWithDatabase(async () => {
  if (process.argv.includes('--status')) {
    const { applied, pending } = await migrationStatus(migrations);
    for (const name of applied) process.stdout.write(`applied  ${name}\n`);
    for (const name of pending) process.stdout.write(`pending  ${name}\n`);
    return 0;
  }
  const applied = await runMigrations(migrations);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply\n');
  return 0;
});
